/**
 * The part of pouchdb-node the benchmark uses. (@types/pouchdb-node is not installed: its type
 * packages pull the npm `buffer` package into the program in place of Node's own Buffer.)
 */
declare module 'pouchdb-node' {
  namespace PouchDB {
    interface Doc {
      _id: string;
      _rev?: string;
      [field: string]: unknown;
    }
    type BulkResult = { ok: true; id: string; rev: string } | { error: true; id?: string; message?: string };
    interface ReplicateOptions {
      live?: boolean;
      retry?: boolean;
      batch_size?: number;
      batches_limit?: number;
    }
    interface ReplicationResult {
      ok: boolean;
      docs_read: number;
      docs_written: number;
      errors: unknown[];
    }
    interface Cancelable {
      cancel(): void;
    }
    interface Replication extends Cancelable, PromiseLike<ReplicationResult> {
      on(event: 'error', listener: (error: unknown) => void): this;
    }
    interface ChangesFeed extends Cancelable {
      on(event: 'change', listener: (change: { id: string; seq: number | string }) => void): this;
      on(event: 'error', listener: (error: unknown) => void): this;
    }
    interface Database {
      put(doc: Doc): Promise<{ ok: boolean; id: string; rev: string }>;
      get(id: string): Promise<Doc>;
      bulkDocs(docs: Doc[]): Promise<BulkResult[]>;
      info(): Promise<{ doc_count: number; update_seq: number | string }>;
      changes(options: { live: true; since: 'now' | number }): ChangesFeed;
      replicate: {
        to(target: Database | string, options?: ReplicateOptions): Replication;
        from(source: Database | string, options?: ReplicateOptions): Replication;
      };
      close(): Promise<void>;
      destroy(): Promise<void>;
    }
    interface Static {
      new (name: string, options?: Record<string, unknown>): Database;
      defaults(options: { prefix?: string }): Static;
      replicate(source: Database | string, target: Database | string, options?: ReplicateOptions): Replication;
    }
  }
  const PouchDB: PouchDB.Static;
  export = PouchDB;
}

/** express-pouchdb ships no types either. */
declare module 'express-pouchdb' {
  import type { RequestListener } from 'node:http';
  import type PouchDB from 'pouchdb-node';

  interface ExpressPouchDbOptions {
    mode?: 'fullCouchDB' | 'minimumForPouchDB' | 'custom';
    inMemoryConfig?: boolean;
    logPath?: string;
    configPath?: string;
  }
  function expressPouchDb(pouchdb: PouchDB.Static, options?: ExpressPouchDbOptions): RequestListener;
  export = expressPouchDb;
}
