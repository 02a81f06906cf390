/** A throwaway self-signed certificate for 127.0.0.1 (openssl), for HTTPS mocks in benches and tests. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function selfSignedCert(): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-tls-"));
  const [cert, key] = [join(dir, "cert.pem"), join(dir, "key.pem")];
  const made = Bun.spawnSync(
    [
      "openssl",
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
    ].concat(["-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]),
    { stderr: "pipe" },
  );
  if (made.exitCode !== 0)
    throw new Error(`openssl could not make a test certificate: ${made.stderr}`);
  return { cert, key };
}
