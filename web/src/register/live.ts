// Live updates for the register. Filled in once the gateway has subscriptions.
export function useThisDeviceEvents(_onEvent: (type: string) => void): void {}
