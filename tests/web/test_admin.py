"""The admin panel in a real browser: staff approve a seller application (the approval saga
runs: the applicant becomes a seller with a shop), and see the ledger's trial balance."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e import polling
from tests.e2e.selling import application, cpf
from tests.web.conftest import account, go, sign_in


def test_staff_approve_a_seller_application(page: Page, api_url, cloud):
    applicant, email = account(api_url)
    body = application(cpf())
    made = applicant.call("POST", "/seller-applications", body, expect=(201,)).json()

    sign_in(page, cloud["AdminEmail"], cloud["AdminPassword"], then="admin")
    card = page.get_by_test_id("application").filter(has_text=body["shopName"])
    expect(card).to_contain_text("Enviado")
    expect(card).to_contain_text(body["document"])
    card.get_by_role("button", name="Aprovar").click()
    expect(card).to_have_count(0)  # it left the queue of new applications

    page.get_by_text("Aprovado", exact=True).click()
    expect(card).to_contain_text("Aprovado")
    approved = polling.until(
        lambda: applicant.call("GET", f"/seller-applications/{made['applicationId']}").json(),
        lambda a: a["status"] == "APPROVED" and a["sellerId"],
        "the approved application",
        30,
    )

    # the applicant, signing in, has a seller center of their own (the role is in the token)
    page.evaluate("localStorage.clear()")
    sign_in(page, email, then="seller")
    expect(page.get_by_role("tab", name="Pacotes a enviar")).to_be_visible()
    expect(page.get_by_test_id("stats-figures")).to_contain_text("R$ 0,00")
    shop = applicant.call("GET", f"/sellers/{approved['sellerId']}/shop").json()
    assert shop["slug"] == made["slug"]


def test_staff_see_the_trial_balance(page: Page, cloud):
    sign_in(page, cloud["AdminEmail"], cloud["AdminPassword"], then="admin")
    page.get_by_role("tab", name="Razão contábil").click()
    page.wait_for_url(re.compile(r"#/admin/ledger$"))
    expect(page.get_by_test_id("trial-balance")).to_contain_text("Balanceado")


def test_a_customer_is_kept_out_of_the_admin_panel(page: Page, api_url):
    _, email = account(api_url)
    sign_in(page, email)
    go(page, "admin")
    expect(page.get_by_role("alert")).to_contain_text("O painel administrativo é para a equipe.")
