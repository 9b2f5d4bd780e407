declare module 'vitest/internal/browser' {
  interface BrowserCommands {
    peerStart(): Promise<{ id: number; url: string }>;
    peerFrames(id: number, n: number): Promise<string[]>;
    peerSend(id: number, n: number, text: string): Promise<void>;
    peerStop(id: number): Promise<void>;
    serverUrl(doc: string): Promise<string>;
    serverTree(doc: string): Promise<unknown>;
  }
}

export {};
