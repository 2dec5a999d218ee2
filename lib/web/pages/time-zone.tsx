/** What the pages say about the zone their times are in, while the business has none yet (Merchant.timeZone). */
import type { Viewer } from "./layout";

/** Under the times of a page: they are in UTC, and where the zone is chosen (the owner's account page). */
export function UtcTimesNote(props: { viewer: Viewer }) {
  const { viewer } = props;
  if (viewer.timeZone !== undefined) return null;
  if (viewer.role === "accountant") {
    return <p>Times are in UTC: this business has not chosen its time zone yet. Its owner chooses it on their account page.</p>;
  }
  return (
    <p>
      Times are in UTC: you have not chosen your time zone yet (setting up your first location takes its zone). <a href="/account#time-zone">Choose your time zone</a>.
    </p>
  );
}
