"""Publishing the web front to its bucket (infra/tools/web_site.py), on moto's S3: every file
with its type, hashed assets cached for a year and the entry points revalidated, the API's
address in config.json, an earlier release's leftovers removed."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

import web_site


@pytest.fixture
def s3():
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="web")
        yield client


def site(folder, asset: str):
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_text("<!doctype html><title>Titan</title>")
    (folder / "assets" / asset).write_text("console.log(1)")
    (folder / "assets" / "index-abc.css").write_text("body{}")
    return folder


def test_the_site_and_its_config_are_published_with_types_and_caching(s3, tmp_path):
    dist = site(tmp_path / "dist", "index-1.js")
    config = {"apiUrl": "https://api.example/prod", "webSocketUrl": None}
    assert web_site.publish(s3, "web", config, dist) == 4
    page = s3.get_object(Bucket="web", Key="index.html")
    script = s3.get_object(Bucket="web", Key="assets/index-1.js")
    assert (page["ContentType"], page["CacheControl"]) == ("text/html; charset=utf-8", "no-cache")
    assert script["ContentType"] == "text/javascript; charset=utf-8"
    assert script["CacheControl"] == "public, max-age=31536000, immutable"
    assert json.loads(s3.get_object(Bucket="web", Key="config.json")["Body"].read()) == config


def test_a_new_release_removes_what_the_old_one_named(s3, tmp_path):
    web_site.publish(s3, "web", {"apiUrl": "a"}, site(tmp_path / "one", "index-1.js"))
    web_site.publish(s3, "web", {"apiUrl": "a"}, site(tmp_path / "two", "index-2.js"))
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="web")["Contents"]}
    assert keys == {"index.html", "config.json", "assets/index-2.js", "assets/index-abc.css"}


def test_an_unbuilt_site_is_refused_before_anything_is_written(s3, tmp_path):
    with pytest.raises(FileNotFoundError, match="make web"):
        web_site.publish(s3, "web", {"apiUrl": "a"}, tmp_path)
    assert "Contents" not in s3.list_objects_v2(Bucket="web")
