"""An API client gets JSON for an unknown address, a browser the 404 page."""

from django.urls import reverse


def test_an_unknown_api_address_answers_json_404(world, client):
    client.force_login(world.facilitator)
    for path in ("/api/v1/nothing-here/", "/api/v1/households/not-a-number/"):
        response = client.get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert "detail" in response.json()


def test_an_unknown_page_answers_the_html_404_page(world, client):
    client.force_login(world.facilitator)
    response = client.get("/households/not-a-number/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
    assert reverse("household_list") in response.content.decode()  # the site's page, with its navigation
