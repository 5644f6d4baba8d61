// The --help text of cmk-rotator: commands, options, where settings come from, and exit codes.

export const HELP_TEXT = `cmk-rotator: drive a cmk-rotator function app (rotate, change, inspect, revoke and restore customer-managed keys)

Usage:
  cmk-rotator rotate <keyId> [--dry-run] [--wait] [--reason <text>]
  cmk-rotator status <id> [--rotation | --revocation | --key-change] [--wait]
  cmk-rotator history <vault>/<key> [--top <n>]
  cmk-rotator discover <vault>/<key> [--register]
  cmk-rotator discover --all [--register]
  cmk-rotator bindings list
  cmk-rotator bindings get <vault>/<key>
  cmk-rotator bindings set <vault>/<key> --target <kind>:<mode>:<resourceId> [--target …]
                           [--rotate-every P90D] [--expires-after P180D] [--retire-after P30D]
  cmk-rotator bindings set <vault>/<key> --file <body.json | ->
  cmk-rotator bindings delete <vault>/<key>
  cmk-rotator revoke <keyId> --reason <text> [--wait] [--request-id <id>]
  cmk-rotator restore <revocationId> --reason <text> [--wait] [--request-id <id>]
  cmk-rotator sweep --reason <text> [--vault <name>] [--force] [--dry-run] [--wait]
  cmk-rotator change-key <fromKeyId> <toKeyId> --reason <text> [--dry-run] [--strategy documented|direct]
                         [--target <resourceId> …] [--wait]

  <keyId> is a versionless key id (https://<vault>.vault.azure.net/keys/<name>) or <vault>/<key>.
  <kind> is storageAccount or powerPlatformPolicy; <mode> is pinned or versionless.
  discover lists every consumer of a key, registered or found by Azure Resource Graph; --register
  adds the Unregistered ones to the key's binding (registered targets are never dropped); --all
  walks every key of every allow-listed vault, with progress on stderr.
  sweep rotates every bound key that is due now (--force: every bound key, e.g. after a suspected
  leak), paced within Azure's limits; --dry-run lists what it would rotate and why.
  change-key moves every consumer of <fromKeyId> (storage accounts, Power Platform policies and their
  environments) to the different key <toKeyId>; the old key is kept. A preflight checks everything first
  and refuses with one finding per problem (exit 8), each saying what to run, e.g. an az role assignment
  create line; nothing changes. --dry-run prints the plan; --strategy direct links environments to the
  new policy without unlinking first (not in Microsoft's docs); --target narrows the change to those
  consumers. A change that stopped short (PartiallyApplied, exit 1) names the line to run; then run the
  same command again to resume.

Options:
  --base-url <url>            function app URL        (else CMK_BASE_URL, else .sandbox/sandbox.json)
  --function-key <key>        function key            (else CMK_FUNCTION_KEY, else the sandbox's)
  --revocation-secret <hex>   signs revoke/restore    (else CMK_REVOCATION_SECRET, else the sandbox's)
  --json                      print the server's JSON (for scripts)
  --progress / --no-progress  progress on stderr while waiting (default: only on a terminal)
  --timeout <s>               how long --wait waits (default 600)
  --interval <s>              pause between polls while waiting (default 1)
  -h, --help                  this text

  The sandbox folder is ./.sandbox unless CMK_SANDBOX_DIR says otherwise.

Exit codes:
  0 ok (Completed, or a rotation Skipped)   1 failed or partially applied, or a server error
  2 usage (bad arguments, or the server answered 400)   3 not found   4 conflict (already running)
  5 auth (function key, revocation secret or signature refused)   6 function app unreachable
  7 --wait timed out (the operation is still running)
  8 a key change's preflight refused it (every finding is printed; nothing changed)
`;
