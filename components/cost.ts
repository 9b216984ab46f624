/** What the stack is doing: decides whether an instance exists and what it does. */
export type Mode = "standby" | "syncing" | "drill" | "active";

/** The cloud's prices (pra:price* keys). */
export interface Prices {
  storageEurPerGbMonth: number;
  instanceEurPerHour: number;
  trafficEurPerMonth: number;
  floatingIpEurPerMonth: number;
}

export interface CostInputs {
  /** The cloud's prices (pra:price* keys). */
  prices: Prices;
  /** The mode decides the instance hours: all month while active, a sync a night otherwise. */
  mode: Mode;
  /** Size of the data volume, GB. */
  volumeGb: number;
  /** Size of the snapshot image, GB. */
  imageGb: number;
  /** Instance minutes one nightly sync takes. */
  expectedSyncMinutes: number;
}

export interface CostEstimate {
  /** Total € per month in the current mode. */
  monthlyEur: number;
  storageEur: number;
  instanceEur: number;
  trafficEur: number;
  floatingIpEur: number;
  /** Instance hours per month behind instanceEur. */
  instanceHours: number;
}

const HOURS_PER_MONTH = 730;
const NIGHTS_PER_MONTH = 30;
const cents = (eur: number) => Math.round(eur * 100) / 100;

/** Monthly cost: storage by the GB, instance time by the hour (a few minutes a night, or all month while active). */
export function estimateMonthlyCost(c: CostInputs): CostEstimate {
  const instanceHours = c.mode === "active" ? HOURS_PER_MONTH : (c.expectedSyncMinutes * NIGHTS_PER_MONTH) / 60;
  const storageEur = (c.volumeGb + c.imageGb) * c.prices.storageEurPerGbMonth;
  const instanceEur = instanceHours * c.prices.instanceEurPerHour;
  const total = storageEur + instanceEur + c.prices.trafficEurPerMonth + c.prices.floatingIpEurPerMonth;
  return {
    monthlyEur: cents(total),
    storageEur: cents(storageEur),
    instanceEur: cents(instanceEur),
    trafficEur: c.prices.trafficEurPerMonth,
    floatingIpEur: c.prices.floatingIpEurPerMonth,
    instanceHours: Math.round(instanceHours * 10) / 10,
  };
}
