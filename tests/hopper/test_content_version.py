from hopper import content_version


def test_bumping_the_content_version_changes_what_caches_see(redis_client) -> None:
    before = content_version.current(redis_client)
    assert content_version.bump(redis_client) == before + 1
    assert content_version.current(redis_client) == before + 1
