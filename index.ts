import * as pulumi from "@pulumi/pulumi";
import { StandbyActivation } from "./components/activation";
import { standbyUserData } from "./components/cloudConfig";
import { estimateMonthlyCost } from "./components/cost";
import { DataSync } from "./components/dataSync";
import { DataVolume } from "./components/dataVolume";
import { StandbyImage } from "./components/image";
import { StandbyNetwork } from "./components/network";
import { RecoveryPoint } from "./components/recoveryPoint";
import { StandbyKeys } from "./components/sshKeys";
import { StandbyInstance } from "./components/standbyInstance";
import type { StepTarget } from "./components/steps";
import { loadSiteConfig, loadSyncConfig } from "./config";
import { knownHostsLine } from "./sync/knownHosts";

const cfg = loadSiteConfig();
const syncCfg = loadSyncConfig();
const name = "pra";
const instanceWanted = cfg.mode !== "standby";

const image = new StandbyImage(`${name}-image`, { source: cfg.image });
const volume = new DataVolume(`${name}-data`, {
  sizeGb: cfg.dataVolumeSizeGb,
  volumeType: cfg.dataVolumeType,
  availabilityZone: cfg.availabilityZone,
});
const network = new StandbyNetwork(`${name}-net`, {
  networkName: cfg.networkName,
  floatingIpPool: cfg.floatingIpPool,
  adminCidrs: cfg.adminCidrs,
  // Only a failover opens it: a runnerCidr left behind by a killed failover closes with the next other run.
  temporaryCidr: cfg.mode === "active" ? cfg.runnerCidr : undefined,
  webOpen: cfg.mode === "active",
});
const keys = new StandbyKeys(`${name}-keys`);

const userData = standbyUserData({
  hostKey: { privateKey: keys.hostPrivateKey, publicKey: keys.hostPublicKey },
  user: cfg.sshUser,
  authorizedKeys: [keys.clientPublicKey, ...cfg.operatorSshKeys],
  dataVolumeId: volume.volumeId,
});

const standby = instanceWanted
  ? new StandbyInstance(`${name}-standby`, {
      imageId: image.imageId,
      volumeId: volume.volumeId,
      portId: network.portId,
      floatingIpAddress: network.floatingIpAddress,
      flavorName: cfg.flavorName,
      availabilityZone: cfg.availabilityZone,
      userData,
    })
  : undefined;

const target: StepTarget = {
  standby: {
    host: network.floatingIpAddress,
    user: cfg.sshUser,
    hostPublicKey: keys.hostPublicKey,
    hostKeyAlias: cfg.hostKeyAlias,
  },
  privateKey: keys.clientPrivateKey,
  sync: syncCfg,
  primaryPrivateKey: syncCfg.primaryPrivateKey,
  scriptTimeoutSeconds: syncCfg.scriptTimeoutMinutes * 60,
};
const standbyParams = {
  webRoot: syncCfg.webRoot,
  siteHostname: cfg.siteHostname,
  keep: syncCfg.keepRecoveryPoints,
  maxDeletePercent: syncCfg.maxDeletePercent,
};

const sync =
  standby && cfg.mode === "syncing"
    ? new DataSync(`${name}-sync`, {
        run: cfg.syncRun,
        target,
        standby: standbyParams,
        instance: standby.server,
        reachableAfter: [standby.floatingIpAssociation],
      })
    : undefined;
const activation =
  standby && (cfg.mode === "active" || cfg.mode === "drill")
    ? new StandbyActivation(`${name}-activation`, {
        trigger: cfg.mode === "drill" ? cfg.drillRun : standby.instanceId,
        target,
        standby: standbyParams,
        restorePoint: syncCfg.restorePoint,
        public: cfg.mode === "active",
        dns: syncCfg.dns,
        instance: standby.server,
        reachableAfter: [standby.floatingIpAssociation],
        webOpenedBy: network.webRules,
      })
    : undefined;
const recoveryPointKeeper = new RecoveryPoint(`${name}-recovery`, { record: sync?.record, failure: sync?.failure });

export const mode = cfg.mode;
export const recoveryPoint = recoveryPointKeeper.record;
/** What the standby's own check found after a failover or drill: its newest post and live recovery point. */
export const standbyCheck = activation?.verification;
export const floatingIp = network.floatingIpAddress;
export const hostKeyAlias = cfg.hostKeyAlias;
export const knownHosts = pulumi
  .all([network.floatingIpAddress, keys.hostPublicKey])
  .apply(([address, hostKey]) => knownHostsLine(cfg.hostKeyAlias, address, hostKey));
export const sshUser = cfg.sshUser;
/** The sync's key for the standby (secret): the failback and a by-hand rescue use it. */
export const syncPrivateKey = keys.clientPrivateKey;
export const instanceId = standby?.instanceId;
export const expectedSyncMinutes = cfg.expectedSyncMinutes;
export const monthlyCost = image.sizeGb.apply((imageGb) =>
  estimateMonthlyCost({
    prices: cfg.prices,
    mode: cfg.mode,
    volumeGb: volume.sizeGb,
    imageGb,
    expectedSyncMinutes: cfg.expectedSyncMinutes,
  }),
);
