// Vite's `?raw` imports: a file's text, as the docs test reads docs/api.md.
declare module "*?raw" {
  const text: string;
  export default text;
}
