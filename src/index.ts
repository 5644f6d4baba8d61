// Entry point the Functions host loads (package.json "main"): importing each door registers it.
export {};
