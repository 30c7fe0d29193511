// Live updates for the back office. Filled in once the gateway has subscriptions.
export function useCodePaired(_id: string, _onEvent: () => void): string | null {
  return null;
}

export function useDeviceEvents(_id: string | null, _onEvent: () => void): void {}
