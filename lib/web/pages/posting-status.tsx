/**
 * How a set-up location stands, as the locations and mapping pages say it: "Posting, from …" or "Not
 * posting: <why>", and the one action that mends it (start it, or reconnect).
 */
import type { LocationConfig } from "../../model";
import type { PostingAction, PostingProblem } from "../../locations/posting-status";
import { formatDay } from "./format";
import { FormToken, type Viewer } from "./layout";

/** "Posting from …" or "Not posting: <why>", with the one action that mends it. */
export function postingStatusText(saved: { location: LocationConfig; problem: PostingProblem | undefined }): string {
  const { location, problem } = saved;
  // The reason recorded when it stopped says what happened ("disconnected"), where the connection may now be simply gone.
  if (problem) return location.awaitingStart ? "Not posting yet: review the mapping and start posting." : `Not posting: ${location.postingStopped?.reason ?? problem.reason}.`;
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

