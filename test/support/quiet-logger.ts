// The logger the test runners hand the stack: its processes' chatter goes to their log files, only
// warnings and errors reach the terminal.
export const quietLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (m: string) => console.warn(m),
  error: (m: string) => console.error(m),
};
