#!/usr/bin/env python3
"""Which Pod Security Standards rules the pods of some manifests break.

Reads Kubernetes YAML files (Pods, and the pod templates of Deployments,
DaemonSets, StatefulSets, ReplicaSets, Jobs, CronJobs) and checks each pod
against the `baseline` and `restricted` levels as the Kubernetes documentation
states them (https://kubernetes.io/docs/concepts/security/pod-security-standards/,
policy version v1.30+). Prints one JSON object: for every workload, the rules
each level finds broken, with the container and what was found.

A namespace labelled `pod-security.kubernetes.io/enforce: privileged` exempts
its pods from both levels; this tells what the label exempts them from.

    python3 deploy/tools/pod-security-check.py deploy/kubernetes/*.yaml

Exit status 0 (findings are data, not errors); 2 when a file does not parse.
"""
import json
import sys

import yaml

BASELINE_CAPABILITIES = {"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
                         "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"}
SAFE_SYSCTLS = {"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
                "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
                "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
                "net.ipv4.tcp_keepalive_probes"}
SELINUX_TYPES = {None, "", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}
RESTRICTED_VOLUMES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"}
TEMPLATE_KINDS = {"Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job", "ReplicationController"}


def pod_specs(doc):
    kind = doc.get("kind")
    if kind == "Pod":
        return doc.get("spec") or {}
    if kind in TEMPLATE_KINDS:
        return ((doc.get("spec") or {}).get("template") or {}).get("spec") or {}
    if kind == "CronJob":
        return ((((doc.get("spec") or {}).get("jobTemplate") or {}).get("spec") or {}).get("template") or {}).get("spec") or {}
    return None


def containers(spec):
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for c in spec.get(key) or []:
            yield c


def check(spec):
    """(baseline findings, restricted-only findings) for one pod spec."""
    base, strict = [], []
    pod_sc = spec.get("securityContext") or {}

    def add(level, rule, where, found):
        level.append({"rule": rule, "where": where, "found": found})

    # Baseline.
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(field):
            add(base, "host-namespaces", "pod", f"{field}: true")
    if (pod_sc.get("windowsOptions") or {}).get("hostProcess"):
        add(base, "host-process", "pod", "windowsOptions.hostProcess: true")
    for v in spec.get("volumes") or []:
        if "hostPath" in v:
            add(base, "host-path-volumes", f"volume {v.get('name')}", "hostPath")
    se = pod_sc.get("seLinuxOptions") or {}
    if se.get("type") not in SELINUX_TYPES or se.get("user") or se.get("role"):
        add(base, "selinux", "pod", json.dumps(se, sort_keys=True))
    if (pod_sc.get("seccompProfile") or {}).get("type") == "Unconfined":
        add(base, "seccomp", "pod", "seccompProfile: Unconfined")
    if (pod_sc.get("appArmorProfile") or {}).get("type") == "Unconfined":
        add(base, "apparmor", "pod", "appArmorProfile: Unconfined")
    for s in pod_sc.get("sysctls") or []:
        if s.get("name") not in SAFE_SYSCTLS:
            add(base, "sysctls", "pod", s.get("name"))

    # Restricted, pod-wide parts.
    for v in spec.get("volumes") or []:
        kinds = [k for k in v if k != "name"]
        for k in kinds:
            if k not in RESTRICTED_VOLUMES:
                add(strict, "volume-types", f"volume {v.get('name')}", k)
    pod_non_root = pod_sc.get("runAsNonRoot") is True
    pod_seccomp = (pod_sc.get("seccompProfile") or {}).get("type") in ("RuntimeDefault", "Localhost")
    if pod_sc.get("runAsUser") == 0:
        add(strict, "running-as-non-root-user", "pod", "runAsUser: 0")

    for c in containers(spec):
        where = f"container {c.get('name')}"
        sc = c.get("securityContext") or {}
        if sc.get("privileged"):
            add(base, "privileged-containers", where, "privileged: true")
        if (sc.get("windowsOptions") or {}).get("hostProcess"):
            add(base, "host-process", where, "windowsOptions.hostProcess: true")
        caps = sc.get("capabilities") or {}
        for cap in caps.get("add") or []:
            if cap not in BASELINE_CAPABILITIES:
                add(base, "capabilities", where, f"adds {cap}")
        for p in c.get("ports") or []:
            if p.get("hostPort"):
                add(base, "host-ports", where, f"hostPort {p['hostPort']}")
        cse = sc.get("seLinuxOptions") or {}
        if cse.get("type") not in SELINUX_TYPES or cse.get("user") or cse.get("role"):
            add(base, "selinux", where, json.dumps(cse, sort_keys=True))
        if sc.get("procMount") not in (None, "Default"):
            add(base, "proc-mount", where, f"procMount {sc.get('procMount')}")
        if (sc.get("seccompProfile") or {}).get("type") == "Unconfined":
            add(base, "seccomp", where, "seccompProfile: Unconfined")
        if (sc.get("appArmorProfile") or {}).get("type") == "Unconfined":
            add(base, "apparmor", where, "appArmorProfile: Unconfined")

        # Restricted, per container.
        if sc.get("allowPrivilegeEscalation") is not False:
            add(strict, "privilege-escalation", where, f"allowPrivilegeEscalation: {sc.get('allowPrivilegeEscalation')}")
        if not (sc.get("runAsNonRoot") is True or (pod_non_root and sc.get("runAsNonRoot") is not False)):
            add(strict, "running-as-non-root", where, "runAsNonRoot not true")
        if sc.get("runAsUser") == 0:
            add(strict, "running-as-non-root-user", where, "runAsUser: 0")
        ctype = (sc.get("seccompProfile") or {}).get("type")
        if not (ctype in ("RuntimeDefault", "Localhost") or (ctype is None and pod_seccomp)):
            add(strict, "seccomp-restricted", where, f"seccompProfile: {ctype or 'unset'}")
        if "ALL" not in (caps.get("drop") or []):
            add(strict, "capabilities-restricted", where, "does not drop ALL")
        for cap in caps.get("add") or []:
            if cap != "NET_BIND_SERVICE":
                add(strict, "capabilities-restricted", where, f"adds {cap}")
    return base, strict


def main(paths):
    out = {}
    for path in paths:
        try:
            docs = [d for d in yaml.safe_load_all(open(path)) if isinstance(d, dict)]
        except (OSError, yaml.YAMLError) as e:
            print(f"{path}: {e}".splitlines()[0], file=sys.stderr)
            return 2
        labels = {}
        for d in docs:
            if d.get("kind") == "Namespace":
                labels[d["metadata"]["name"]] = (d["metadata"].get("labels") or {}).get("pod-security.kubernetes.io/enforce")
        for d in docs:
            spec = pod_specs(d)
            if spec is None:
                continue
            meta = d.get("metadata") or {}
            base, strict = check(spec)
            out[f"{d['kind']}/{meta.get('namespace', 'default')}/{meta.get('name')}"] = {
                "namespaceEnforce": labels.get(meta.get("namespace", "default")),
                "baseline": base,
                "restricted": base + strict,
            }
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
