"""The harness itself: a real Chromium reaches the live app, which enforces its page policy."""

from typing import Any

from tests.browser.support import assert_accessible


async def test_the_error_page_opens_in_chromium_with_its_styles_and_passes_axe(
    browser_page: Any,
) -> None:
    response = await browser_page.goto("/lacak/tidak/ada")
    assert response.status == 404
    assert await browser_page.locator("h1").inner_text() == "Halaman tidak ditemukan"
    # The stylesheet loaded under the strict policy: the header has the brand colour.
    header = browser_page.locator("header.site")
    colour = await header.evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(138, 28, 28)"
    await assert_accessible(browser_page)


async def test_the_page_policy_refuses_an_inline_script(browser_page: Any) -> None:
    await browser_page.goto("/lacak/tidak/ada")
    ran = await browser_page.evaluate(
        """() => new Promise(done => {
            document.addEventListener("securitypolicyviolation", () => done("refused"));
            const s = document.createElement("script");
            s.textContent = "window.__ran = true";
            document.body.appendChild(s);
            setTimeout(() => done(window.__ran ? "ran" : "refused"), 500);
        })"""
    )
    assert ran == "refused"
