"""Synthesis with plain Python, cfn-lint on the template, and the cdk-nag AwsSolutions pack."""

from __future__ import annotations

from collections import Counter

import cfnlint.api

from tests.infra.conftest import Synthesized

# cfn-lint rules ignored, and why.
CFN_LINT_IGNORED = {
    # CDK gives each function an explicit DependsOn on its role (and the role's policy) as well as the GetAtt of the
    # role's ARN; the duplicate is harmless and CDK's own, so W3005 ("dependency already enforced") is noise here.
    "W3005",
}

# Every cdk-nag finding the stack accepts (reasons in infra/airline_infra/nag.py); a new one must be reviewed here.
ACCEPTED_NAG_FINDINGS = {
    "AwsSolutions-COG2",
    "AwsSolutions-SMG4",
    "AwsSolutions-IAM5",
    "AwsSolutions-ASC3",
    "AwsSolutions-IAM4",
    "AwsSolutions-SQS3",
}


def test_plain_python_synthesizes_the_stack_quickly(synthesized: Synthesized) -> None:
    # `python infra/app.py`, Python start and jsii included, without bundling dependencies
    assert synthesized.seconds < 60
    kinds = Counter(resource["Type"] for resource in synthesized.template["Resources"].values())
    print(f"\nsynthesized in {synthesized.seconds:.1f} s: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))


def test_cfn_lint_finds_nothing_in_the_template(synthesized: Synthesized) -> None:
    matches = cfnlint.api.lint_file(synthesized.outdir / "Airline.template.json")
    findings = [f"{m.rule.id} {m.message} ({m.path})" for m in matches if m.rule.id not in CFN_LINT_IGNORED]
    assert findings == []


def test_cdk_nag_reports_no_error_or_warning(synthesized: Synthesized) -> None:
    nag = [(path, message) for kind in ("error", "warning") for path, message in synthesized.annotations(kind)]
    assert nag == []


def test_every_nag_suppression_is_an_accepted_one_with_a_reason(synthesized: Synthesized) -> None:
    suppressed = [line for line in synthesized.nag_report if line["Compliance"] == "Suppressed"]
    assert {line["Rule ID"] for line in suppressed} <= ACCEPTED_NAG_FINDINGS
    for line in suppressed:
        assert len(line["Exception Reason"]) > 40, f"{line['Rule ID']} on {line['Resource ID']} needs a real reason"
    assert not [line for line in synthesized.nag_report if line["Compliance"] == "Non-Compliant"]
