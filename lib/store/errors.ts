/** A store call that cannot be carried out as asked, or an item in the table that is not what daybook wrote. */
export class StoreError extends Error {
  override name = "StoreError";
}
