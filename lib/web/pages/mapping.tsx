import type { AccountToCreate } from "../../locations/missing-accounts";
import { accountsFor, CATEGORY_TYPES, type DefaultFigure, FIGURES } from "../../locations/mapping-figures";
import type { QuickBooksAccount } from "../../quickbooks/types";
import type { LocationConfig } from "../../model";
import { FieldError, FormToken, Layout, type Viewer } from "./layout";

/** The choices on the form: those stored, or those just sent when they were not accepted. */
export interface MappingValues {
  defaults: Record<DefaultFigure, string>;
  /** The mapping's per-category overrides, in stored order: [category key, account id]. */
  categories: [string, string][];
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
  values: MappingValues;
  /** Field name → message. Fields: the figure names, and category-<index>. */
  errors: Record<string, string>;
  notice?: string;
}

export const mappingPath = (locationId: string) => `/locations/${encodeURIComponent(locationId)}/mapping`;
export const categoryField = (index: number) => `category-${String(index)}`;
export const categoryKeyField = (index: number) => `categoryKey-${String(index)}`;

export function MappingPage(props: MappingPageProps) {
  const { viewer, location, chart, values, errors } = props;
  const errorCount = Object.keys(errors).length;
  const kept = [
    location.mapping.tenders && `${String(Object.keys(location.mapping.tenders).length)} tender`,
    location.mapping.taxes && `${String(Object.keys(location.mapping.taxes).length)} tax`,
    location.mapping.serviceCharges && `${String(Object.keys(location.mapping.serviceCharges).length)} service charge`,
  ].filter((each): each is string => typeof each === "string");
  return (
    <Layout title={`Mapping for ${location.name}`} viewer={viewer}>
      {props.notice && <p role="status">{props.notice}</p>}
      {props.problem && <p role="alert">{props.problem}</p>}
      <p>
        Choose the QuickBooks account each figure of {location.name}'s daily entry is posted to. Each list shows only the accounts of this company that suit
        the figure, by account type; daybook's suggestion is marked "(suggested)".
      </p>
      {props.missing.length > 0 && <MissingAccountsOffer viewer={viewer} action={`${mappingPath(location.locationId)}/create-accounts`} missing={props.missing} />}
      {chart && (
        <form method="post" action={mappingPath(location.locationId)} novalidate>
          <FormToken viewer={viewer} />
          {errorCount > 0 && <p role="alert" class="error">{errorCount === 1 ? "One choice was not saved: see the message next to it." : `${String(errorCount)} choices were not saved: see the messages next to them.`}</p>}
          <fieldset>
            <legend>Default accounts</legend>
            {FIGURES.map((rule) => (
              <AccountSelect
                name={rule.figure} label={rule.label} hint={rule.hint} types={rule.types} chart={chart}
                value={values.defaults[rule.figure]} suggested={props.suggested?.[rule.figure]} error={errors[rule.figure]}
              />
            ))}
          </fieldset>
          {values.categories.length > 0 && (
            <fieldset>
              <legend>Sales by category</legend>
              <p>These categories' sales go to their own account instead of the sales account above.</p>
              {values.categories.map(([key, accountId], index) => (
                <>
                  <input type="hidden" name={categoryKeyField(index)} value={key} />
                  <AccountSelect
                    name={categoryField(index)} label={`Sales – category ${key}`} hint="Sales of this category's items (credit)." types={CATEGORY_TYPES}
                    chart={chart} value={accountId} suggested={undefined} error={errors[categoryField(index)]}
                  />
                </>
              ))}
            </fieldset>
          )}
          {kept.length > 0 && <p>{`The mapping's ${kept.join(", ")} overrides are kept as they are.`}</p>}
          <button type="submit">Save mapping</button>
        </form>
      )}
      <p><a href="/locations">Back to locations</a></p>
    </Layout>
  );
}

function AccountSelect(props: {
  name: string; label: string; hint: string; types: readonly string[]; chart: QuickBooksAccount[];
  value: string; suggested: string | undefined; error: string | undefined;
}) {
  const id = `mapping-${props.name}`;
  const offered = accountsFor(props.types, props.chart);
  const known = offered.some((account) => account.id === props.value);
  const describedBy = [`${id}-hint`, ...(props.error ? [`${id}-error`] : [])].join(" ");
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <p id={`${id}-hint`} class="hint">{props.hint}</p>
      <select id={id} name={props.name} required aria-describedby={describedBy} aria-invalid={props.error ? "true" : undefined}>
        {props.value === "" && <option value="" selected>Choose an account</option>}
        {props.value !== "" && !known && <option value={props.value} selected>{`Account ${props.value} (not an account of this company that suits this figure)`}</option>}
        {props.types.map((type) => {
          const ofType = offered.filter((account) => account.accountType === type);
          if (ofType.length === 0) return null;
          return (
            <optgroup label={type}>
              {ofType.map((account) => (
                <option value={account.id} selected={account.id === props.value}>
                  {account.fullyQualifiedName + (account.id === props.suggested ? " (suggested)" : "")}
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
