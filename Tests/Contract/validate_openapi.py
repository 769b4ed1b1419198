#!/usr/bin/env python3
"""Validates the served OpenAPI document (Sources/ClassifyWeb/Resources/openapi.json) against
the OpenAPI 3.1 specification with openapi-spec-validator. The Swift tests (OpenAPITests) check
that it matches the router and the answers; this checks that other tools can read it.

    python3 Tests/Contract/validate_openapi.py [PATH]
"""
import json
import pathlib
import sys

from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

ROOT = pathlib.Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "Sources/ClassifyWeb/Resources/openapi.json"


def main() -> int:
    path = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"{path}: cannot read: {error}", file=sys.stderr)
        return 1
    if not str(document.get("openapi", "")).startswith("3.1."):
        print(f"{path}: openapi is {document.get('openapi')!r}, expected 3.1.x", file=sys.stderr)
        return 1
    try:
        validate(document)
    except OpenAPIValidationError as error:
        print(f"{path}: not valid OpenAPI 3.1: {error.message}", file=sys.stderr)
        return 1
    operations = sum(
        1 for item in document.get("paths", {}).values() for method in item
        if method in {"get", "put", "post", "delete", "options", "head", "patch", "trace"})
    print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: valid OpenAPI "
          f"{document['openapi']}, {len(document.get('paths', {}))} paths, {operations} operations")
    return 0


if __name__ == "__main__":
    sys.exit(main())
