// The error that stops start-up when a setting is missing or malformed.
import { DomainError } from "../errors";
import type { SettingName } from "./types";

/** A bad setting: the message names the setting and what to fix (never its value when secret). */
export class SettingsError extends DomainError {
  readonly setting: SettingName;

  constructor(setting: SettingName, problem: string) {
    super("SettingsInvalid", `Setting ${setting} ${problem}`, { details: { setting } });
    this.setting = setting;
  }
}
