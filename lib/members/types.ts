/**
 * Accountants as users: a person (an account like any merchant's, made by the emailed-link sign-in)
 * who a business invited, and who may then work on that business's books (lib/web/roles.ts says
 * what an accountant may do). One access is kept twice, written and removed together:
 *
 * - `Member`, in the business's partition: the owner's list of who has access;
 * - `Membership`, in the accountant's partition: one row of the client list, with the business's last
 *   night per location, which the worker keeps current (location-status.ts). The client list is one
 *   query of the accountant's own partition however many clients there are.
 *
 * An `Invitation` waits in the business's partition for 7 days; its link's token is kept only as a
 * hash. An `InvitationStop` is an address's own "no invitations" (invitation-stops.ts), for every
 * business. MemberStore is the storage port; lib/store/members.ts implements it on the table.
 */
import type { FailureKind, Merchant, SyncState } from "../model";

/** The owner is the business's own account; an accountant is a person it invited. */
export type AccessRole = "owner" | "accountant";

export const INVITATION_TTL_MS = 7 * 86_400_000;

/** A location's latest business day that daybook finished, as the client list shows it. */
export interface LocationStatus {
  name: string;
  timeZone: string;
  /** YYYY-MM-DD. */
  businessDay: string;
  state: SyncState;
  /** Why the day is held or failed, in the words of the day's record. */
  reason?: string;
  failureKind?: FailureKind;
  /** The day has entries in QuickBooks: failed, it is its re-check that failed (lib/report/day-status.ts). */
  posted?: true;
  /** When the day's record last changed. */
  updatedAt: string;
  /**
   * The location's days before this one (of the last ten) still held for review or failed, oldest
   * first: a later day posting must not hide them from the client list.
   */
  earlier?: EarlierDay[];
}

/** A day before a location's latest that still needs someone. */
export interface EarlierDay {
  businessDay: string;
  state: "held" | "failed";
  reason?: string;
  /** Failed, the day has entries in QuickBooks: its re-check failed. */
  posted?: true;
}

/** The business side of an accountant's access. */
export interface Member {
  businessId: string;
  personId: string;
  /** The accountant's sign-in address, lower-cased: what the owner sees in the list. */
  email: string;
  /** The owner who sent the invitation. */
  invitedBy: string;
  createdAt: string;
}

/** The accountant's side: one row of the client list. */
export interface Membership {
  businessId: string;
  personId: string;
  /** The business as the client list names it (businessName below), refreshed by the worker. */
  businessName: string;
  createdAt: string;
  /** By location id: the latest finished day of each location, as of statusUpdatedAt. */
  locations: Record<string, LocationStatus>;
  statusUpdatedAt: string;
}

export interface Invitation {
  invitationId: string;
  /** SHA-256 (hex) of the token in the emailed link. */
  tokenHash: string;
  businessId: string;
  /** Who was invited, lower-cased. */
  email: string;
  invitedBy: string;
  createdAt: string;
  /** ISO 8601; 7 days after createdAt. */
  expiresAt: string;
}

/** An address that asked daybook to send it no invitations, from any business, until it lifts that itself. */
export interface InvitationStop {
  /** The address's addressHash (lib/report/recipients.ts): the address itself is not kept. */
  addressHash: string;
  stoppedAt: string;
}

export interface MemberStore {
  putInvitation(invitation: Invitation): Promise<void>;
  /** The invitation whose link has this token hash, if it exists and has not expired at `now`. Reads only. */
  findInvitation(tokenHash: string, now: Date): Promise<Invitation | undefined>;
  /** The business's invitations not yet accepted and not expired at `now`, newest first. */
  listInvitations(businessId: string, now: Date): Promise<Invitation[]>;
  /** Withdraws an invitation of this business; false if there is none with that id. */
  cancelInvitation(businessId: string, invitationId: string): Promise<boolean>;
  /**
   * Uses the invitation (single use, before it expires at `now`) and records both sides of the
   * access, all in one transaction; false, writing nothing, if the invitation was used, withdrawn or
   * has expired meanwhile. Accepting again (a second invitation) replaces the access.
   */
  acceptInvitation(invitation: Invitation, member: Member, membership: Membership, now: Date): Promise<boolean>;
  /** Withdraws every business's invitations to the address with this addressHash; how many there were. */
  cancelInvitationsTo(addressHash: string): Promise<number>;

  /** Records the address's stop; false, changing nothing (its first date stays), if it had one already. */
  stopInvitations(stop: InvitationStop): Promise<boolean>;
  /** The address's stop, if it has one. */
  findInvitationStop(addressHash: string): Promise<InvitationStop | undefined>;
  /** Lifts the address's stop; false if it had none. */
  liftInvitationStop(addressHash: string): Promise<boolean>;

  /** This person's access to that business, read consistently (the web checks it on every request). */
  getMembership(personId: string, businessId: string): Promise<Membership | undefined>;
  /** Every business that gave this person access: one query of the person's partition. */
  listMemberships(personId: string): Promise<Membership[]>;
  /** Who has access to the business, oldest first. */
  listMembers(businessId: string): Promise<Member[]>;
  /** Ends the access, both sides at once; false if there was none. */
  removeMembership(businessId: string, personId: string): Promise<boolean>;
  /**
   * Tells these accountants (the business's members) about a location's latest day: each membership's
   * entry for the location is set unless it already holds a later day, and a membership that no longer
   * exists is left alone. Returns how many memberships changed.
   */
  recordLocationStatus(personIds: string[], businessId: string, businessName: string, locationId: string, status: LocationStatus): Promise<number>;
}

/** How daybook names a business to its accountants: its name, or its owner's address until it has one. */
export function businessNameOf(merchant: Pick<Merchant, "name" | "email">): string {
  return merchant.name.trim() !== "" ? merchant.name.trim() : merchant.email;
}
