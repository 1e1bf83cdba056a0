// The demo admin's generated password is kept in the data folder (owner-only) so every `npm start`
// can print a working login; it is never stored anywhere else in clear.
import fs from 'node:fs';
import path from 'node:path';

export interface DemoLogin {
  email: string;
  password: string;
}

const fileOf = (dataDir: string) => path.join(dataDir, 'demo-login.json');

export function saveDemoLogin(dataDir: string, login: DemoLogin): void {
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(fileOf(dataDir), JSON.stringify(login, null, 2), { mode: 0o600 });
}

export function readDemoLogin(dataDir: string): DemoLogin | null {
  try {
    return JSON.parse(fs.readFileSync(fileOf(dataDir), 'utf8')) as DemoLogin;
  } catch {
    return null;
  }
}
