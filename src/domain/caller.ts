// Who is calling the API: a person or an integration of one workspace, as authentication found them.
// What they do is recorded under an actor (actor.ts).

/** Who is calling: a person of one workspace (through a session or a personal token), or an integration. */
export type Caller = UserCaller | IntegrationCaller;

/** A person: a user of the workspace, through a session or one of their personal API tokens. */
export interface UserCaller {
  /** Optional so a person is any caller that is not an integration; narrow with `kind === 'integration'`. */
  kind?: 'user';
  userId: string;
  workspaceId: string;
  role: 'admin' | 'agent';
  email: string;
  name: string;
  via: 'session' | 'token';
}

/**
 * An integration or bot calling with a workspace's integration token: it works tickets like an agent, but
 * what it sends is an automation's message under the reply policy (design.md §1.4), named after the token.
 */
export interface IntegrationCaller {
  kind: 'integration';
  /** The integration token's id: messages and timeline events it writes carry it. */
  integrationId: string;
  workspaceId: string;
  role: 'agent';
  name: string;
  via: 'token';
}
