/**
 * Name endings that hold a credential (or bank details, which are masked the same way), compared on
 * the lower-cased name with `-`, `_`, `.` and spaces taken out: `apiKey`, `x-api-key`, `API_KEY` and
 * `client_secret` all end in one.
 */
const SECRET_ENDING =
  /(pass|passwd|password|passphrase|secret|apikey|token|authori[sz]ation|cookie|sessionid|privatekey|signingkey|signature|credentials?|sortcode|accountnumber)$/;

/**
 * Whether a field, parameter, header or XML element of this name holds a secret, whatever its value.
 * The one rule behind log scrubbing, the check that adapter config fields say whether they are secret
 * (`x-lgx-secret`), and the scrubbing of recorded fixtures.
 */
export function isSecretName(name: string): boolean {
  return SECRET_ENDING.test(name.toLowerCase().replace(/[-_.\s]/g, ''));
}
