// What the Run screen was set to: kept in the app state so it survives leaving the screen. Nothing on the
// Run screen is written to disk, so a restart starts from the defaults again.

import type { ScenarioSettings } from './types';
import { DEFAULT_PICK, DEFAULT_REPLICAS, DEFAULT_SIGNING, type LabStore, type ShortOverride } from './scenarios';

export class RunChoices {
  scenarios = $state<string[]>([...DEFAULT_PICK]);
  /** The advanced numbers as edited; null until the user changes one (the catalogue's defaults show). */
  settings = $state<ScenarioSettings | null>(null);
  replicas = $state(DEFAULT_REPLICAS);
  store = $state<LabStore>('sqlite');
  shortOverride = $state<ShortOverride | null>(null);
  /** How the lab signs its JWTs (jwt and hybrid modes); the first of the catalogue's, HS256, by default. */
  signing = $state(DEFAULT_SIGNING);
  reveal = $state(false);
}
