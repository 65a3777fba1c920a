/** The SQLite provider's settings. */
export interface SqliteSettings {
  /** A folder where the provider keeps facts it can cheaply prove still true (inspections, by file
   *  identity and times), so observing costs what changed. None: no cache. */
  readonly cacheDir?: string;
}
