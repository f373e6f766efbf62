import pytest
from moto import mock_aws
from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.models import Model

from titan.dynamo import (
    condition_failed,
    endpoint,
    failed_conditions,
    table_meta,
    transaction,
)


def test_endpoint_prefers_the_dynamodb_specific_override(monkeypatch):
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    assert endpoint() is None
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    assert endpoint() == "http://127.0.0.1:4566"
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000")
    assert endpoint() == "http://127.0.0.1:8000"


def test_a_missing_table_variable_fails_at_import(monkeypatch):
    monkeypatch.delenv("NO_SUCH_TABLE", raising=False)
    with pytest.raises(KeyError):
        table_meta("NO_SUCH_TABLE")


def test_models_use_the_table_named_in_the_environment(monkeypatch):
    monkeypatch.setenv("STOCK_TABLE", "stock-test")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)

    class Stock(Model):
        Meta = table_meta("STOCK_TABLE")
        sku = UnicodeAttribute(hash_key=True)
        available = NumberAttribute()

    with mock_aws():
        Stock.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
        Stock("sku-1", available=3).save(condition=Stock.sku.does_not_exist())
        with pytest.raises(PutError) as refused:
            Stock("sku-1", available=9).save(condition=Stock.sku.does_not_exist())
        assert condition_failed(refused.value)
        assert Stock.get("sku-1").available == 3
        with pytest.raises(TransactWriteError) as cancelled, transaction() as write:
            write.save(Stock("sku-2", available=1), condition=Stock.sku.does_not_exist())
            write.update(Stock("sku-1"), [Stock.available.add(-5)], condition=Stock.available >= 5)
        assert failed_conditions(cancelled.value) == {1}
        assert not condition_failed(cancelled.value) and failed_conditions(refused.value) == set()
        assert Stock.Meta.table_name == "stock-test"
