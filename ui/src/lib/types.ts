// Hand-written mirror of the Rust serde shapes the UI renders, until ts-rs bindings land in
// `src/lib/bindings/`. Every name and field matches the Rust type, so the switch is a change of imports.
//
// Conventions (as serde writes them):
// - `Option<T>` is `T | null`; a field with `skip_serializing_if` is optional (`field?: T`, absent when empty).
// - enums with `rename_all = "kebab-case"` are string unions; `#[serde(tag = "...")]` enums are tagged unions.
// - `i64` / `u64` / `usize` / `Millis` are plain JSON numbers. ts-rs maps 64-bit integers to `bigint` unless
//   told otherwise; the backend should export them as `number` (`#[ts(type = "number")]`) since serde_json
//   writes numbers, not strings. Times beyond 2^53 lose precision in JS; the UI treats them as "far away".

/** Unix time in milliseconds (crates/core/src/model.rs `Millis`). */
export type Millis = number;

/** serde_json::Value */
export type JsonValue = number | string | boolean | JsonValue[] | { [key: string]: JsonValue } | null;

// ---- model.rs --------------------------------------------------------------------------------------------

export interface Header {
  name: string;
  value: string;
  /** Present (true) when the value was not UTF-8 and carries `\xNN` escapes. */
  raw_bytes_escaped?: boolean;
}

export interface Body {
  text?: string;
  base64?: string;
  size: number;
  truncated?: boolean;
}

export interface RequestRecord {
  method: string;
  url: string;
  headers: Header[];
  body: Body;
}

export interface ResponseRecord {
  status: number;
  http_version: string;
  headers: Header[];
  set_cookies: string[];
  body: Body;
}

export interface Hop {
  request: RequestRecord;
  response: ResponseRecord | null;
  started_at: Millis;
  ttfb_ms: number;
  duration_ms: number;
}

export type StepKind = 'prefetch' | 'login' | 'probe' | 'refresh' | 'logout' | 'extra';

export type Purpose =
  | 'flow'
  | 'replay-after-logout'
  | 'fixation-replay'
  | 'reuse-after-rotation'
  | 'newest-after-reuse'
  | 'plain-http';

export interface ErrorInfo {
  code: string;
  message: string;
}

export interface Exchange {
  id: number;
  step: StepKind;
  purpose: Purpose;
  label: string;
  started_at: Millis;
  duration_ms: number;
  hops: Hop[];
  error: ErrorInfo | null;
}

export type CredentialKind = 'session' | 'pre-login-session' | 'access' | 'refresh' | 'id' | 'csrf' | 'other';

export type Carrier =
  | { type: 'cookie'; name: string; raw: string }
  | { type: 'json-body'; pointer: string }
  | { type: 'header'; name: string }
  | { type: 'html'; selector: string }
  | { type: 'regex'; pattern: string };

export type ExpirySource = 'jwt-exp' | 'cookie-max-age' | 'cookie-expires' | 'expires-in';

export interface DecodedJwt {
  header: JsonValue | null;
  claims: JsonValue | null;
  signature_len: number;
  alg: string | null;
  typ: string | null;
  kid: string | null;
  /** Seconds since the epoch, as in the token. */
  iat: number | null;
  nbf: number | null;
  exp: number | null;
  problems: string[];
}

export interface CookieVerdict {
  stored: boolean;
  notes: string[];
  effective_expiry: Millis | null;
}

export interface CookieInfo {
  name: string;
  value_len: number;
  domain: string | null;
  path: string | null;
  secure: boolean;
  http_only: boolean;
  same_site: string | null;
  max_age: number | null;
  /** Unix seconds. */
  expires: number | null;
  partitioned: boolean;
  is_deletion: boolean;
  verdict: CookieVerdict;
}

export interface Credential {
  id: number;
  name: string;
  kind: CredentialKind;
  generation: number;
  label: string;
  value: string;
  fingerprint: string;
  carrier: Carrier;
  issued_at: Millis;
  issued_by: number;
  issued_in: StepKind;
  scenario: string;
  declared_expiry: Millis | null;
  expiry_source: ExpirySource | null;
  jwt: DecodedJwt | null;
  cookie: CookieInfo | null;
}

export type Verdict = 'accepted' | 'rejected' | 'inconclusive';

export type FlowEventKind = 'login' | 'refresh' | 'logout';

export interface Observation {
  credential_id: number;
  at: Millis;
  exchange_id: number;
  verdict: Verdict;
  purpose: Purpose;
  after_event: FlowEventKind | null;
  status: number | null;
}

export interface FlowEvent {
  kind: FlowEventKind;
  at: Millis;
  exchange_id: number;
  scenario: string;
}

export type Status = 'pass' | 'info' | 'not-tested' | 'warn' | 'fail';

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';

export interface Evidence {
  exchange_id: number | null;
  credential_id: number | null;
  location: string;
  detail: string;
}

export interface Finding {
  check_id: string;
  title: string;
  status: Status;
  severity: Severity;
  summary: string;
  explanation: string;
  evidence: Evidence[];
  references: string[];
}

export type RunStatus = 'running' | 'completed' | 'failed' | 'cancelled';

export interface Run {
  id: string;
  profile_name: string;
  targets: string[];
  scenarios: string[];
  started_at: Millis;
  finished_at: Millis | null;
  status: RunStatus;
  error: ErrorInfo | null;
  exchanges: Exchange[];
  credentials: Credential[];
  observations: Observation[];
  events: FlowEvent[];
  findings: Finding[];
  revealed: boolean;
}

// ---- timeline.rs -----------------------------------------------------------------------------------------

export interface Mark {
  at: Millis;
  verdict: Verdict;
  purpose: Purpose;
  exchange_id: number;
  after_event: FlowEventKind | null;
  status: number | null;
}

export interface Gap {
  from: Millis;
  observed_until: Millis;
  expected_until: Millis | null;
}

export interface Lane {
  credential_id: number;
  label: string;
  kind: CredentialKind;
  scenario: string;
  issued_at: Millis;
  declared_expiry: Millis | null;
  expiry_source: ExpirySource | null;
  marks: Mark[];
  last_accepted: Millis | null;
  first_rejected: Millis | null;
  revocation_gap: Gap | null;
}

export interface Timeline {
  start: Millis;
  end: Millis;
  events: FlowEvent[];
  lanes: Lane[];
}

// ---- events.rs -------------------------------------------------------------------------------------------

export type RunEvent =
  | { event: 'started'; run_id: string; profile: string; total_steps: number }
  | { event: 'step-started'; scenario: string; step: StepKind; label: string; index: number }
  | {
      event: 'exchange-captured';
      id: number;
      method: string;
      url: string;
      status: number | null;
      duration_ms: number;
    }
  | { event: 'credential-issued'; id: number; label: string; kind: CredentialKind; expires_at: Millis | null }
  | { event: 'replay-result'; credential_id: number; label: string; verdict: Verdict; status: number | null }
  | { event: 'finding'; finding: Finding }
  | { event: 'finished'; run_id: string }
  | { event: 'failed'; error: ErrorInfo };

// ---- store/mod.rs ----------------------------------------------------------------------------------------

export interface RunSummary {
  id: string;
  profile_name: string;
  targets: string[];
  started_at: Millis;
  finished_at: Millis | null;
  /** running | completed | failed | cancelled | interrupted */
  status: string;
  exchanges: number;
  fails: number;
  warns: number;
  passes: number;
}

// ---- the app's command contract (src-tauri) ----------------------------------------------------------------

export interface AppInfo {
  version: string;
  data_dir: string;
  db_path: string;
}

export interface LabMode {
  name: string;
  description: string;
}

export interface LabFlaw {
  name: string;
  description: string;
  modes: string[];
}

export interface LabUser {
  username: string;
  email: string;
}

export interface LabCatalogue {
  modes: LabMode[];
  flaws: LabFlaw[];
  users: LabUser[];
}

export interface CheckDoc {
  id: string;
  code: string | null;
  family: string;
  title: string;
  kind: string;
  severity: Severity;
  explanation: string;
  references: string[];
}

export type RunTarget =
  | { kind: 'lab'; mode: string; flaws: string[] }
  | { kind: 'profile'; toml: string; password: string };

export interface RunRequest {
  request_id: string;
  target: RunTarget;
  scenarios: string[];
  reveal: boolean;
}

export interface RunView {
  run: Run;
  timeline: Timeline;
}

export interface ProfileErrorLocation {
  line: number;
  column: number;
  key: string | null;
  message: string;
}

export interface ProfileCheck {
  ok: boolean;
  name: string | null;
  error: ProfileErrorLocation | null;
}

export interface SavedProfile {
  name: string;
  toml: string;
}
