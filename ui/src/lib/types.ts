// The backend's types, generated from the Rust types by ts-rs (scripts/bindings.sh; CI fails when they
// drift). Components import from here.
export type {
  AppInfo,
  Body,
  Carrier,
  CheckDoc,
  CookieInfo,
  CookieVerdict,
  Credential,
  CredentialKind,
  DecodedJwt,
  ErrorInfo,
  Evidence,
  Exchange,
  ExpirySource,
  Finding,
  FlowEvent,
  FlowEventKind,
  Gap,
  Header,
  Hop,
  LabCatalogue,
  LabUser,
  Lane,
  Mark,
  Observation,
  PasswordStatus,
  ProfileCheck,
  Purpose,
  RequestRecord,
  ResponseRecord,
  Run,
  RunEvent,
  RunRequest,
  RunStatus,
  RunSummary,
  RunTarget,
  RunView,
  SavedProfile,
  Severity,
  Status,
  StepKind,
  Timeline,
  Verdict,
} from './bindings';
export type { JsonValue } from './bindings/serde_json/JsonValue';
import type { FlawDoc, NamedDoc, ProfileErrorView } from './bindings';

/** Unix milliseconds. */
export type Millis = number;
export type LabMode = NamedDoc;
export type LabFlaw = FlawDoc;
export type ProfileErrorLocation = ProfileErrorView;
