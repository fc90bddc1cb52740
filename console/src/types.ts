/** The API's shapes as the console reads them (the server validates them; the console only shows them). */
export type Role = "viewer" | "operator" | "admin";

export interface RuntimeObject<S = Record<string, any>, T = Record<string, any>> {
  kind: string;
  name: string;
  spec: S;
  status: T;
  generation: number;
}

export interface RuntimeEvent {
  seq: number;
  timeSeconds: number;
  kind: string;
  name: string;
  reason: string;
  message: string;
}

export interface Clock {
  nowSeconds: number;
  speed: number;
  paused: boolean;
}

export type HostMetric = "cpuUsedMhz" | "cpuReservedMhz" | "memoryUsedMb" | "memoryReservedMb";

export interface ClusterHistory {
  cluster: string;
  times: number[];
  imbalance: number[];
  targetImbalance: number[];
  hosts: Record<string, Record<HostMetric, (number | null)[]>>;
}

export type Obj = RuntimeObject;
