"""Checks of the built overlays that no off-the-shelf tool makes (run by scripts/deploy-check).

For each overlay (the output of `kubectl kustomize`):
- every object of an operator's kind (CloudNativePG, Prometheus Operator, cert-manager, External
  Secrets) validates against the OpenAPI schema of that CRD in deploy/crds/, with unknown fields
  refused where the schema does not keep them (as the API server's strict field validation
  does); the other objects are written to OVERLAY.core.yaml for kubernetes-validate, so every
  object meets exactly one of the two schema checks;
- every object is in the overlay's namespace; no Secret is in the repository, and no
  container's secret-looking variable has a literal value;
- the worker's terminationGracePeriodSeconds leaves time after KEA_WORKER_SHUTDOWN_S;
- every kea-config key is a variable the README's configuration table describes.
Once: the PrometheusRule's groups are written to kea.rules.yaml for promtool, and every alert
has a runbook paragraph in docs/operations.md and a unit test in prometheusrule.test.yaml.
Prints one line per finding and exits 1 if there is any.
"""

import argparse
import copy
import glob
import os
import re
import sys

import jsonschema
import yaml

SECRET_NAME = re.compile(r"PASSWORD|PASS$|TOKEN|SECRET|DATABASE_URL|_KEY$")


def strict(schema):
    """The schema with unknown properties refused wherever the CRD does not keep them."""
    schema = copy.deepcopy(schema)

    def walk(node):
        if isinstance(node, dict):
            if (
                node.get("type") == "object"
                and "properties" in node
                and "additionalProperties" not in node
                and not node.get("x-kubernetes-preserve-unknown-fields")
            ):
                node["additionalProperties"] = False
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return schema


def load_crds(directory):
    """(apiVersion, kind) -> a validator for each served version of each CRD file."""
    validators = {}
    for path in sorted(glob.glob(os.path.join(directory, "*.yaml"))):
        with open(path) as f:
            crd = yaml.safe_load(f)
        group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
        for version in crd["spec"]["versions"]:
            if not version.get("served"):
                continue
            schema = strict(version["schema"]["openAPIV3Schema"])
            validators[(f"{group}/{version['name']}", kind)] = (
                jsonschema.Draft7Validator(schema),
                os.path.basename(path),
            )
    return validators


def name_of(obj):
    return f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"


def containers(obj):
    spec = obj.get("spec", {})
    pod = spec.get("template", {}).get("spec", {}) if obj.get("kind") != "Pod" else spec
    return pod.get("containers", []) + pod.get("initContainers", [])


def check_overlay(label, path, namespace, validators, readme_vars, out_dir, problems):
    with open(path) as f:
        objects = [o for o in yaml.safe_load_all(f) if o]
    core, crd_count = [], 0
    for obj in objects:
        where = f"{label}: {name_of(obj)}"
        key = (obj.get("apiVersion"), obj.get("kind"))
        if key in validators:
            validator, crd_file = validators[key]
            errors = sorted(validator.iter_errors(obj), key=lambda e: list(e.absolute_path))
            for e in errors:
                at = "/".join(str(p) for p in e.absolute_path) or "(top)"
                problems.append(f"{where}: {at}: {e.message} (schema of {crd_file})")
            crd_count += 1
        else:
            core.append(obj)
        if obj.get("kind") == "Namespace":
            if obj["metadata"]["name"] != namespace:
                problems.append(f"{where}: the overlay's namespace is {namespace}")
        elif obj.get("metadata", {}).get("namespace") != namespace:
            problems.append(f"{where}: not in namespace {namespace}")
        if obj.get("kind") == "Secret":
            problems.append(f"{where}: a Secret in the repository (secrets come from Vault through ExternalSecrets)")
        for c in containers(obj):
            for env in c.get("env", []):
                if SECRET_NAME.search(env["name"]) and "value" in env:
                    problems.append(f"{where}: container {c['name']}: {env['name']} has a literal value; use a secretKeyRef")
        if obj.get("kind") == "ConfigMap":
            for k in obj.get("data", {}):
                if SECRET_NAME.search(k):
                    problems.append(f"{where}: ConfigMap key {k} looks like a secret")
    with open(os.path.join(out_dir, f"{label}.core.yaml"), "w") as f:
        yaml.safe_dump_all(core, f, sort_keys=False)

    config = next(
        (o for o in objects if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("kea-config-")),
        None,
    )
    if config is None:
        problems.append(f"{label}: no kea-config ConfigMap")
        return len(objects), crd_count
    for k in config.get("data", {}):
        if k not in readme_vars:
            problems.append(f"{label}: kea-config sets {k}, which README's configuration table does not describe")
    if "KEA_PUBLIC_URL" not in config.get("data", {}):
        problems.append(f"{label}: kea-config has no KEA_PUBLIC_URL (the URL Twilio signs)")
    worker = next((o for o in objects if o["kind"] == "Deployment" and o["metadata"]["name"] == "kea-worker"), None)
    if worker is not None:
        grace = worker["spec"]["template"]["spec"].get("terminationGracePeriodSeconds", 30)
        shutdown = float(config["data"].get("KEA_WORKER_SHUTDOWN_S", 10))
        if grace < shutdown + 5:
            problems.append(
                f"{label}: kea-worker's terminationGracePeriodSeconds ({grace}) must exceed "
                f"KEA_WORKER_SHUTDOWN_S ({shutdown:g}) by 5 s at least, or running handlers are killed"
            )
    return len(objects), crd_count


def check_rules(rule_file, test_file, operations_md, out_dir, problems):
    with open(rule_file) as f:
        rule = yaml.safe_load(f)
    with open(os.path.join(out_dir, "kea.rules.yaml"), "w") as f:
        yaml.safe_dump({"groups": rule["spec"]["groups"]}, f, sort_keys=False)
    with open(test_file) as f:
        tests = yaml.safe_load(f)
    tested = {t["alertname"] for g in tests["tests"] for t in g.get("alert_rule_test", [])}
    with open(operations_md) as f:
        headings = {
            re.sub(r"[^a-z0-9 -]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
            for line in f
            if line.startswith("#")
        }
    alerts = [r for g in rule["spec"]["groups"] for r in g["rules"] if "alert" in r]
    for r in alerts:
        name = r["alert"]
        url = r.get("annotations", {}).get("runbook_url", "")
        anchor = url.partition("#")[2]
        if not url.startswith("docs/operations.md#") or anchor != name.lower():
            problems.append(f"alert {name}: runbook_url must be docs/operations.md#{name.lower()}")
        elif anchor not in headings:
            problems.append(f"alert {name}: docs/operations.md has no heading '{name}'")
        if name not in tested:
            problems.append(f"alert {name}: no unit test in {os.path.basename(test_file)}")
    return len(alerts)


def readme_variables(readme):
    with open(readme) as f:
        return set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", f.read(), re.M))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--crds", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--readme", required=True)
    p.add_argument("--rules", required=True)
    p.add_argument("--rule-tests", required=True)
    p.add_argument("--operations", required=True)
    p.add_argument("overlays", nargs="+", help="LABEL=NAMESPACE=BUILT.yaml")
    args = p.parse_args()
    validators = load_crds(args.crds)
    readme_vars = readme_variables(args.readme)
    problems = []
    for spec in args.overlays:
        label, namespace, path = spec.split("=", 2)
        total, crd = check_overlay(label, path, namespace, validators, readme_vars, args.out, problems)
        print(f"    {label}: {total} objects, {crd} checked against the CRDs' schemas, {total - crd} left for kubernetes-validate")
    alerts = check_rules(args.rules, args.rule_tests, args.operations, args.out, problems)
    print(f"    {alerts} alerts, each with a runbook paragraph and a unit test")
    for problem in problems:
        print(f"    FAIL {problem}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
