/**
 * How a set-up location stands, as the locations and mapping pages say it: "Posting, from …" or "Not
 * posting: <why>", and the one action that mends it (start it, or reconnect); and on the locations
 * page, its latest finished day when that needs the merchant: failed, held, or posted with its re-check
 * failed (lib/report/day-status.ts), linked to the day's page.
 */
import type { LocationStatus } from "../../members/types";
import type { LocationConfig } from "../../model";
import type { PostingAction, PostingProblem } from "../../locations/posting-status";
import { RECHECK_FAILED_WORDS, recheckFailed } from "../../report/day-status";
import { formatDay } from "./format";
import { FormToken, type Viewer } from "./layout";

/** Why a location does not post: the reason recorded when it stopped says what happened ("disconnected"), where the connection may now be simply gone. */
export function notPostingReason(location: LocationConfig, problem: PostingProblem): string {
  return location.postingStopped?.reason ?? problem.reason;
}

/** "<name> is posting: daybook posts each day from <day> once it has ended.", where a page says it in a sentence of its own. */
export function postingSentence(name: string, postingFrom: string): string {
  return `${name} is posting: daybook posts each day from ${formatDay(postingFrom)} once it has ended.`;
}

/** "Posting from …" or "Not posting: <why>", with the one action that mends it. */
export function postingStatusText(saved: { location: LocationConfig; problem: PostingProblem | undefined }): string {
  const { location, problem } = saved;
  if (problem) return location.awaitingStart ? "Not posting yet: review the mapping and start posting." : `Not posting: ${notPostingReason(location, problem)}.`;
  return location.postingFrom ? `Posting, from ${formatDay(location.postingFrom)}.` : "Posting.";
}

/** The one action that mends a location that cannot post: the link to its mapping page to start it, or the button to reconnect. */
export function PostingActionControl(props: { viewer: Viewer; mappingHref: string; action: PostingAction }) {
  const { action } = props;
  if (action.kind === "start") return <a href={props.mappingHref}>{action.label}</a>;
  return (
    <form method="post" action={`/connect/${action.provider}`} class="inline">
      <FormToken viewer={props.viewer} />
      {action.region !== undefined && <input type="hidden" name="region" value={action.region} />}
      <button type="submit">{action.label}</button>
    </form>
  );
}

/** How the latest finished day went, when the merchant should look at it; undefined when it posted, had no sales, or is posting now. */
function latestDayOutcome(day: LocationStatus): { words: string; alert: boolean } | undefined {
  // The reason is a sentence of its own: reasons have colons of their own ("Review mode is on: the entry waits for approval").
  const reason = day.reason === undefined ? "" : ` ${/[.!?]$/.test(day.reason) ? day.reason : `${day.reason}.`}`;
  if (day.state === "held") return { words: `is held for review.${reason}`, alert: true };
  if (recheckFailed(day.state, day.posted === true)) return { words: `${RECHECK_FAILED_WORDS.toLowerCase()}.${reason}`, alert: false };
  if (day.state === "failed") return { words: `failed, and nothing of it is in QuickBooks yet.${reason}`, alert: true };
  return undefined;
}

/** "The latest day, <Monday 16 June 2025>, failed, … yet. <why>", linked to the day's page; nothing when the day needs nothing. */
export function LatestDayNote(props: { locationId: string; lastDay: LocationStatus | undefined }) {
  const outcome = props.lastDay && latestDayOutcome(props.lastDay);
  if (!props.lastDay || !outcome) return null;
  const { businessDay } = props.lastDay;
  const note = (
    <>
      {"The latest day, "}<a href={`/days/${encodeURIComponent(props.locationId)}/${businessDay}`}>{formatDay(businessDay)}</a>{`, ${outcome.words}`}
    </>
  );
  return outcome.alert ? <p role="alert">{note}</p> : <p>{note}</p>;
}
