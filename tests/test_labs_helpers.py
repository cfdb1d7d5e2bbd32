import json

import numpy as np
import pytest

from labs import checks, data


def test_checks_fail_with_french_messages_that_do_not_leak_the_answer():
    with pytest.raises(AssertionError) as err:
        checks.check_close(41.9, 42.0, "duree_projet", hint="Sommez les durées du chemin critique.")
    assert "duree_projet" in str(err.value) and "42" not in str(err.value)
    with pytest.raises(AssertionError, match="forme"):
        checks.check_array_close([1, 2], [1, 2, 3], "x")
    with pytest.raises(AssertionError, match="1 valeur"):
        checks.check_array_close([1, 2, 4], [1, 2, 3], "x")
    with pytest.raises(AssertionError, match="colonnes"):
        import pandas as pd

        checks.check_columns(pd.DataFrame({"a": [1]}), ["a", "b"], "df")
    checks.check_same_items(["T2", "T1"], ["T1", "T2"], "chemin")
    with pytest.raises(AssertionError):
        checks.check_same_items(["T1"], ["T1", "T2"], "chemin")


def test_check_equal_is_not_fooled_by_an_object_that_always_says_equal():
    class Liar:
        def __eq__(self, other):
            return True

    with pytest.raises(AssertionError, match="type"):
        checks.check_equal(Liar(), [1, 2], "reponse")
    checks.check_equal(np.int64(3), 3, "n")


def test_nan_is_named_as_such():
    with pytest.raises(AssertionError, match="NaN"):
        checks.check_close(float("nan"), 1.0, "x")


def make_datasets(tmp_path, content=b"a,b\n1,2\n"):
    (tmp_path / "t.csv").write_bytes(content)
    import hashlib

    manifest = {"files": {"t.csv": {"sha256": hashlib.sha256(b"a,b\n1,2\n").hexdigest(), "bytes": 8, "description": "test"}}}
    (tmp_path / "MANIFEST.json").write_text(json.dumps(manifest), encoding="utf-8")
    data._manifest.cache_clear()
    return tmp_path


def test_data_reads_verified_files(tmp_path, monkeypatch):
    monkeypatch.setenv(data.ENV_VAR, str(make_datasets(tmp_path)))
    assert data.read_csv("t.csv").shape == (1, 2)


def test_a_modified_file_is_refused_with_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv(data.ENV_VAR, str(make_datasets(tmp_path, b"a,b\n1,3\n")))
    with pytest.raises(data.DatasetError, match="modifié.*generate.py"):
        data.read_csv("t.csv")


def test_an_unknown_file_lists_the_known_ones(tmp_path, monkeypatch):
    monkeypatch.setenv(data.ENV_VAR, str(make_datasets(tmp_path)))
    with pytest.raises(data.DatasetError, match="t.csv"):
        data.path("autre.csv")
