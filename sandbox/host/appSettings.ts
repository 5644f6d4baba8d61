// Applies app settings to process.env before the app loads (as the Functions host does) and restores them on stop.

export interface AppliedSettings {
  restore(): void;
}

export function applySettings(settings: Readonly<Record<string, string>>): AppliedSettings {
  const previous = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(settings)) {
    if (!previous.has(name)) previous.set(name, process.env[name]);
    process.env[name] = value;
  }
  return {
    restore() {
      for (const [name, value] of previous) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    },
  };
}
