// Who did something: the one list of actors that timelines, contact events, ticket actions and messages
// name. A person and an integration work tickets (the team); the customer writes in; the system acts on
// its own or for one of a workspace's rules (auto-close).

/** A person of a workspace, through a session or one of their personal API tokens. */
export type UserActor = { kind: 'user'; userId: string; workspaceId: string };

/** An integration or bot acting through an integration token (named by the token's id). */
export type IntegrationActor = { kind: 'integration'; integrationId: string; workspaceId: string };

/** Who works tickets through the inbox or the API: a person, or an integration. */
export type TeamActor = UserActor | IntegrationActor;

/** The customer, writing in. */
export type CustomerActor = { kind: 'customer' };

/** Threadbox itself, or one of a workspace's rules (`ruleId`). */
export type SystemActor = { kind: 'system'; ruleId?: string };

/** Who did something a contact's timeline records: never an integration (contact changes need a person). */
export type Actor = UserActor | CustomerActor | SystemActor;

/** Who did something a ticket's timeline records: anyone, or an integration. */
export type TicketActor = Actor | IntegrationActor;

/** Who acts on a ticket of a workspace: the team, or the system on the workspace's behalf. */
export type WorkspaceActor = TeamActor | (SystemActor & { workspaceId: string });
