// Lint: typescript-eslint's recommended rules plus the layering of the architecture (see README).
import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const channelKinds = ['whatsapp', 'instagram', 'email'];
const otherChannels = (own) => channelKinds.filter((c) => c !== own).map((c) => `../${c}/*`);
// A channel's folder is its own: only the registry (src/channels/registry.ts) reaches into it.
// Meta's shared webhook and Graph code belongs to the WhatsApp and Instagram folders alike.
const channelFolders = [...channelKinds, 'meta'].flatMap((kind) => [`**/channels/${kind}/**`, `./${kind}/**`]);
const channelFoldersMessage = 'Reach a channel through its adapter (src/channels/registry.ts), never into its folder.';
const notIntoChannels = { group: channelFolders, message: channelFoldersMessage };
const webFeatures = ['auth', 'inbox', 'ticket', 'composer', 'contacts', 'settings'];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    // Time comes from a Clock (src/domain/clock.ts): a test that reads the wall clock beside the fixed
    // test clock passes the day it is written and fails some later day. Elapsed time and deadlines use
    // performance.now(), which no calendar moves.
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'chaos/**/*.ts'],
    ignores: ['src/domain/clock.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'Read time from the injected Clock (systemClock or the test clock); use performance.now() for elapsed time.' }],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Read time from the injected Clock: new Date(clock.now()).' }],
    },
  },
  {
    // Everything outside a channel's folder reaches the channel through the registry.
    files: ['src/**/*.ts'],
    // Tests may look inside the channel they test.
    ignores: ['src/channels/registry.ts', 'src/**/*.test.ts', ...[...channelKinds, 'meta'].map((kind) => `src/channels/${kind}/**`)],
    rules: { 'no-restricted-imports': ['error', { patterns: [notIntoChannels] }] },
  },
  {
    // Domain rules are pure: no storage, no HTTP, no channels, no I/O.
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['../db/*', '../modules/*', '../channels/*', '../http/*', '../jobs/*', 'node:*', 'kysely', 'pg', 'better-sqlite3', 'fastify'] }],
    },
  },
  ...channelKinds.map((channel) => ({
    // A channel knows the channel-neutral types and the domain, never another channel, the store or HTTP.
    files: [`src/channels/${channel}/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', { patterns: [...otherChannels(channel), '../../db/*', '../../modules/*', '../../http/*', '../../jobs/*'] }],
    },
  })),
  {
    // Only the store's dialect folder talks to the drivers.
    files: ['src/modules/**/*.ts', 'src/http/**/*.ts', 'src/jobs/**/*.ts', 'src/events/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['pg', 'better-sqlite3'], patterns: [notIntoChannels] }],
    },
  },
  {
    // The agent web app runs in the browser, under the rules of hooks.
    files: ['web/src/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat['recommended-latest'],
    languageOptions: { globals: { ...globals.browser } },
  },
  ...webFeatures.map((feature) => ({
    // A web feature stands alone; the pages in web/src/app compose them.
    files: [`web/src/features/${feature}/**/*.{ts,tsx}`],
    rules: {
      'no-restricted-imports': ['error', { patterns: webFeatures.filter((f) => f !== feature).map((f) => `../${f}/*`) }],
    },
  })),
);
