def test_demo_programme_renders(client, demo):
    assert client.get("/programme").status_code == 200
