import type { Server } from "node:http";
import { createRequire } from "node:module";
import { closeServer, listenOnLoopback } from "./loopbackServer";

/** The part of dynalite's options the registry needs. */
interface DynaliteOptions {
  createTableMs: number;
  deleteTableMs: number;
  updateTableMs: number;
}

// dynalite ships no type declarations, so it is loaded untyped and given the signature used here.
const dynalite = createRequire(__filename)("dynalite") as (options: DynaliteOptions) => Server;

/** An in-memory DynamoDB on the loopback interface holding the receiver registry table. */
export interface RegistryDb {
  /** `http://127.0.0.1:PORT`, for the client's `endpoint` or `AWS_ENDPOINT_URL_DYNAMODB`. */
  endpoint: string;
  close(): Promise<void>;
}

export async function startRegistryDb(): Promise<RegistryDb> {
  // Tables are ACTIVE as soon as they are created, so a deploy need not wait for them.
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  return { endpoint: await listenOnLoopback(server), close: () => closeServer(server) };
}
