/** What the page needs to reach the API: served by src/serve.ts as /config.json (from its environment). */
export interface ChatConfig {
  /** The API's base URL, e.g. http://localhost:3000 or your stage's URL. */
  apiUrl: string;
  /** The chat app the page talks to. */
  chatAppId: string;
  /** A bearer token (your sign-in's JWT; `npm start` of the backend prints a dev token). */
  token: string;
}
