/**
 * The mapping page (go-live step 2 for a location not started yet): every item the location has, in
 * groups by figure, each with a select of the accounts that fit it ("Default (…)" first, daybook's
 * suggestion marked), the items the nightly sync found that are new at the top, the default accounts,
 * where Square payouts arrive, a preview of the last complete day as the entry daybook would post, and,
 * before the location posts, step 3: "Start posting from <date>". Plain forms: no script.
 */
import { labelText } from "../../domain/account-label";
import { labelOf } from "../../locations/account-labels";
import type { AccountToCreate } from "../../locations/missing-accounts";
import { accountsFor, type DefaultFigure, FIGURES } from "../../locations/mapping-figures";
import { groupRule, ITEM_GROUPS, itemField, itemKeyField, type MappingItem, seenKey } from "../../locations/mapping-items";
import type { DayPreview } from "../../locations/preview";
import type { QuickBooksAccount } from "../../quickbooks/types";
import type { PostingProblem } from "../../locations/posting-status";
import type { LocationConfig } from "../../model";
import { formatAmount, formatDay } from "./format";
import { FieldError, FormToken, Layout, type Viewer } from "./layout";
import { notPostingReason, PostingActionControl, postingSentence } from "./posting-status";

/** The choices on the form: those stored, or those just sent when they were not accepted. */
export interface MappingValues {
  defaults: Record<DefaultFigure, string>;
  /** Each item's choice by seenKey(group, key): an account Id, or "" for the default. */
  items: Record<string, string>;
  /** The bank account Square payouts arrive in; "" for none. */
  payoutsBank: string;
}

export interface MappingPageProps {
  viewer: Viewer;
  location: LocationConfig;
  /** The company's active chart of accounts; undefined when it could not be read (then `problem` says why). */
  chart: QuickBooksAccount[] | undefined;
  problem?: string;
  /** The default mapping daybook would suggest for this chart, when it can suggest one. */
  suggested?: Record<DefaultFigure, string>;
  missing: AccountToCreate[];
  items: MappingItem[];
  /** Said when the POS's own lists could not be read (the page then lists what recent days used). */
  catalogProblem?: string;
  values: MappingValues;
  /** Field name (a figure, payoutsBank) or seenKey(group, key) → message. */
  errors: Record<string, string>;
  notice?: string;
  /** The last complete day as daybook would post it, or why there is none. */
  preview?: DayPreview;
  previewProblem?: string;
  /** Go-live step 3, for a location not started yet. */
  start?: StartForm;
  /** Why a started location cannot post now (its POS or QuickBooks connection is gone), or undefined while it posts. */
  postingProblem?: PostingProblem;
}

export interface StartForm {
  /** The default first day: the last day that has ended. */
  suggested: string;
  earliest: string;
  latest: string;
  value: string;
  error?: string;
}

export const mappingPath = (locationId: string) => `/locations/${encodeURIComponent(locationId)}/mapping`;
export const startPath = (locationId: string) => `/locations/${encodeURIComponent(locationId)}/start`;
export const PAYOUTS_BANK_FIELD = "payoutsBank";

const fieldId = (name: string) => `mapping-${name}`;

export function MappingPage(props: MappingPageProps) {
  const { viewer, location, chart, values, errors } = props;
  const errorCount = Object.keys(errors).length;
  // Each item's field name: its group's, numbered in the page's order.
  const indexOf = new Map<MappingItem, number>();
  for (const rule of ITEM_GROUPS) props.items.filter((item) => item.group === rule.group).forEach((item, index) => indexOf.set(item, index));
  const fresh = props.items.filter((item) => item.isNew);
  const row = (item: MappingItem) => {
    const index = indexOf.get(item) ?? 0;
    return (
      <ItemSelect
        item={item} field={{ name: itemField(item.group, index), keyName: itemKeyField(item.group, index) }} chart={chart ?? []}
        value={values.items[seenKey(item.group, item.key)] ?? ""} error={errors[seenKey(item.group, item.key)]}
      />
    );
  };
  return (
    <Layout title={`Mapping for ${location.name}`} viewer={viewer}>
      {props.notice && <p role="status">{props.notice}</p>}
      {props.problem && <p role="alert">{props.problem}</p>}
      {location.awaitingStart ? <GoLiveSteps /> : <PostingLine {...props} />}
      <p>
        Choose the QuickBooks account each part of {location.name}'s daily entry is posted to. Each list shows only the accounts of this company that suit
        it, by account type; daybook's suggestion is marked "(suggested)". An item left on "Default" goes to the default account of its kind.
      </p>
      {props.missing.length > 0 && <MissingAccountsOffer viewer={viewer} action={`${mappingPath(location.locationId)}/create-accounts`} missing={props.missing} />}
      {props.catalogProblem && <p>{props.catalogProblem}</p>}
      {chart && (
        <form method="post" action={mappingPath(location.locationId)} novalidate>
          <FormToken viewer={viewer} />
          {errorCount > 0 && <p role="alert" class="error">{errorCount === 1 ? "One choice was not saved: see the message next to it." : `${String(errorCount)} choices were not saved: see the messages next to them.`}</p>}
          {fresh.length > 0 && (
            <fieldset>
              <legend>New since the mapping was last saved</legend>
              <p>The nightly sync found these on the POS. Until you choose, each goes to its default account.</p>
              {fresh.map(row)}
            </fieldset>
          )}
          <fieldset>
            <legend>Default accounts</legend>
            {FIGURES.map((rule) => (
              <AccountSelect
                name={rule.figure} label={rule.label} hint={rule.hint} types={rule.types} chart={chart}
                value={values.defaults[rule.figure]} suggested={props.suggested?.[rule.figure]} error={errors[rule.figure]}
              />
            ))}
          </fieldset>
          {ITEM_GROUPS.map((rule) => {
            const items = props.items.filter((item) => item.group === rule.group && !item.isNew);
            if (items.length === 0) return null;
            return (
              <fieldset>
                <legend>{rule.label}</legend>
                <p>{rule.hint}</p>
                {items.map(row)}
              </fieldset>
            );
          })}
          {location.source === "square" && (
            <fieldset>
              <legend>Payouts</legend>
              <AccountSelect
                name={PAYOUTS_BANK_FIELD} label="Bank account payouts arrive in" types={["Bank"]} chart={chart} value={values.payoutsBank} suggested={undefined}
                hint="The bank account Square pays this location's payouts into: daybook posts each payout from the card clearing account to it."
                error={errors[PAYOUTS_BANK_FIELD]} emptyOption="Not set: payouts are not posted"
              />
            </fieldset>
          )}
          <button type="submit">Save mapping</button>
        </form>
      )}
      <PreviewSection {...props} />
      {props.start && <StartSection viewer={viewer} location={location} start={props.start} />}
      <p><a href="/locations">Back to locations</a></p>
    </Layout>
  );
}

function GoLiveSteps() {
  return (
    <nav aria-label="Going live">
      <ol>
        <li>Connect your POS and QuickBooks: done.</li>
        <li><strong>Review the mapping</strong> and the preview of a day, below.</li>
        <li>Start posting, from the day you choose: at the end of this page. Nothing is posted before that.</li>
      </ol>
    </nav>
  );
}

/** Whether a started location posts: from which day, or why not and the one action that mends it. */
function PostingLine(props: MappingPageProps) {
  const { location, postingProblem } = props;
  if (postingProblem) {
    return (
      <p role="alert">
        {`${location.name} is not posting: ${notPostingReason(location, postingProblem)}. `}
        <PostingActionControl viewer={props.viewer} mappingHref={mappingPath(location.locationId)} action={postingProblem.action} />
      </p>
    );
  }
  return location.postingFrom ? <p>{postingSentence(location.name, location.postingFrom)}</p> : null;
}

function PreviewSection(props: MappingPageProps) {
  const { preview } = props;
  return (
    <section aria-labelledby="preview-heading">
      <h2 id="preview-heading">{preview ? `Preview: ${formatDay(preview.businessDay)}` : "Preview"}</h2>
      {props.previewProblem && <p>{props.previewProblem}</p>}
      {preview && preview.lines.length === 0 && <p>No sales that day: daybook would post nothing for it.</p>}
      {preview && preview.lines.length > 0 && (
        <>
          <p>{`The entry daybook would post for ${props.location.name}'s last complete day, with the mapping as saved. Nothing is sent to QuickBooks.`}</p>
          {preview.heldReason && <p>{preview.heldReason}</p>}
          <table>
            <caption>{`Preview entry lines (${preview.currency})`}</caption>
            <thead><tr><th scope="col">Side</th><th scope="col">Line</th><th scope="col">Amount</th><th scope="col">Account</th></tr></thead>
            <tbody>
              {preview.lines.map((line) => (
                <tr><td>{line.side}</td><td>{line.description}</td><td>{formatAmount(line.amount, preview.currency)}</td><td>{line.account}</td></tr>
              ))}
            </tbody>
            <tfoot><tr><th scope="row" colspan={2}>Each side</th><td>{formatAmount(preview.total, preview.currency)}</td><td></td></tr></tfoot>
          </table>
          {preview.warnings.length > 0 && (
            <>
              <p>What the day's report would tell your accountant:</p>
              <ul>{preview.warnings.map((warning) => <li>{warning}</li>)}</ul>
            </>
          )}
        </>
      )}
    </section>
  );
}

function StartSection(props: { viewer: Viewer; location: LocationConfig; start: StartForm }) {
  const { start, location } = props;
  const id = "start-from";
  return (
    <section aria-labelledby="start-heading">
      <h2 id="start-heading">Start posting</h2>
      <form method="post" action={startPath(location.locationId)} novalidate>
        <FormToken viewer={props.viewer} />
        <label for={id}>Start posting from</label>
        <p id={`${id}-hint`} class="hint">
          {`${formatDay(start.suggested)} is the last day that has ended. A day before it is posted now, as a backfill (one entry a day); a later one when it ends. The earliest you can choose is ${formatDay(start.earliest)}.`}
        </p>
        <input
          type="date" id={id} name="from" required value={start.value} min={start.earliest} max={start.latest}
          aria-describedby={`${id}-hint ${id}-warning${start.error ? ` ${id}-error` : ""}`} aria-invalid={start.error ? "true" : undefined}
        />
        <FieldError id={`${id}-error`} message={start.error} />
        <p id={`${id}-warning`}><strong>If you already entered any of these days in QuickBooks by hand, they would be counted twice:</strong> start the day after the last one you entered.</p>
        <button type="submit">{`Start posting ${location.name}`}</button>
      </form>
    </section>
  );
}

function ItemSelect(props: { item: MappingItem; field: { name: string; keyName: string }; chart: QuickBooksAccount[]; value: string; error: string | undefined }) {
  const { item, chart } = props;
  const rule = groupRule(item.group);
  const defaultAccount = chart.find((account) => account.id === item.defaultAccountId);
  const defaultName = defaultAccount ? labelText(labelOf(defaultAccount)) : `QuickBooks account ${item.defaultAccountId}`;
  return (
    <>
      <input type="hidden" name={props.field.keyName} value={item.key} />
      <AccountSelect
        name={props.field.name} label={`${rule.itemLabel(item.name)}${item.isNew ? " (new)" : ""}`} types={rule.types} chart={chart}
        hint={`Default: ${defaultName}.`} value={props.value} suggested={item.suggested} error={props.error}
        emptyOption={`Default (${defaultName})${item.suggested === undefined ? " (suggested)" : ""}`}
      />
    </>
  );
}

function AccountSelect(props: {
  name: string; label: string; hint: string; types: readonly string[]; chart: QuickBooksAccount[];
  value: string; suggested: string | undefined; error: string | undefined;
  /** The option for "" (the default, or none); without it "" asks for a choice. */
  emptyOption?: string;
}) {
  const id = fieldId(props.name);
  const offered = accountsFor(props.types, props.chart);
  const known = offered.some((account) => account.id === props.value);
  const describedBy = [`${id}-hint`, ...(props.error ? [`${id}-error`] : [])].join(" ");
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <p id={`${id}-hint`} class="hint">{props.hint}</p>
      <select id={id} name={props.name} required={props.emptyOption === undefined} aria-describedby={describedBy} aria-invalid={props.error ? "true" : undefined}>
        {props.emptyOption !== undefined && <option value="" selected={props.value === ""}>{props.emptyOption}</option>}
        {props.emptyOption === undefined && props.value === "" && <option value="" selected>Choose an account</option>}
        {props.value !== "" && !known && <option value={props.value} selected>{`Account ${props.value} (not an account of this company that suits this)`}</option>}
        {props.types.map((type) => {
          const ofType = offered.filter((account) => account.accountType === type);
          if (ofType.length === 0) return null;
          return (
            <optgroup label={type}>
              {ofType.map((account) => (
                <option value={account.id} selected={account.id === props.value}>
                  {labelText(labelOf(account)) + (account.id === props.suggested ? " (suggested)" : "")}
                </option>
              ))}
            </optgroup>
          );
        })}
      </select>
      <FieldError id={`${id}-error`} message={props.error} />
    </div>
  );
}

/**
 * The offer to create the clearing and liability accounts the chart lacks: a form of its own (forms do
 * not nest), posting to `action` with any `hidden` fields.
 */
export function MissingAccountsOffer(props: {
  viewer: Viewer; action: string; missing: AccountToCreate[]; hidden?: Record<string, string>; idBase?: string; headingLevel?: 2 | 4;
}) {
  const headingId = `${props.idBase ?? "missing"}-accounts`;
  const heading = "Accounts this QuickBooks company lacks";
  return (
    <section aria-labelledby={headingId}>
      {props.headingLevel === 4 ? <h4 id={headingId}>{heading}</h4> : <h2 id={headingId}>{heading}</h2>}
      <p>daybook's entries need these accounts, which the company's chart of accounts does not have. daybook can add them to QuickBooks; it only adds accounts and never changes or deletes anything there.</p>
      <ul>
        {props.missing.map((account) => <li>{`${account.name}: ${account.accountType}, for ${account.purpose}`}</li>)}
      </ul>
      <form method="post" action={props.action}>
        <FormToken viewer={props.viewer} />
        {Object.entries(props.hidden ?? {}).map(([name, value]) => <input type="hidden" name={name} value={value} />)}
        <button type="submit">Create the missing accounts in QuickBooks</button>
      </form>
    </section>
  );
}
