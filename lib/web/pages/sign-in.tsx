import { SIGN_IN_LINK_TTL_MS } from "../../auth/sign-in";
import { FieldError, Layout, MessagePage } from "./layout";

const LINK_MINUTES = SIGN_IN_LINK_TTL_MS / 60_000;

export function SignInPage(props: { email?: string | undefined; error?: string | undefined; intro?: string; next?: string }) {
  return (
    <Layout title="Sign in">
      {props.intro && <p>{props.intro}</p>}
      {props.next !== undefined && <p>Sign in to continue to the page you opened: the link we email you takes you straight there.</p>}
      <p>Enter your email address and we will email you a link to sign in. No password needed. New here? The same link creates your account.</p>
      <SignInForm email={props.email} error={props.error} next={props.next} />
    </Layout>
  );
}

function SignInForm(props: { email?: string | undefined; error?: string | undefined; next?: string | undefined }) {
  return (
    <form method="post" action="/sign-in" novalidate>
      {props.next !== undefined && <input type="hidden" name="next" value={props.next} />}
      <label for="email">Email address</label>
      <input
        type="email" id="email" name="email" autocomplete="email" required maxlength={320}
        value={props.email ?? ""}
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={props.error ? "email-error" : undefined}
      />
      <FieldError id="email-error" message={props.error} />
      <button type="submit">Email me a sign-in link</button>
    </form>
  );
}

export function CheckEmailPage() {
  return (
    <MessagePage title="Check your email">
      <p>If that address can receive email, a sign-in link is on its way. It works once, within {LINK_MINUTES} minutes.</p>
      <p>Nothing arrived after a few minutes? Look in your spam folder, or <a href="/sign-in">ask for a new link</a>.</p>
    </MessagePage>
  );
}

/** The link's landing page: a button, because mail scanners follow links but do not press buttons. */
export function ConfirmSignInPage(props: { token: string; email: string }) {
  return (
    <Layout title="Sign in to daybook">
      <p>This link signs in <strong>{props.email}</strong>. Press the button to finish signing in on this device.</p>
      <p>Not your address? Close this page: nothing happens without the button.</p>
      <form method="post" action="/sign-in/confirm">
        <input type="hidden" name="token" value={props.token} />
        <button type="submit">Sign in</button>
      </form>
    </Layout>
  );
}

export function SignInLinkInvalidPage() {
  return (
    <Layout title="This sign-in link no longer works">
      <p>Sign-in links work once, within {LINK_MINUTES} minutes of being sent. This one has been used already, has expired, or was copied incompletely.</p>
      <p>Ask for a new link:</p>
      <SignInForm />
    </Layout>
  );
}
