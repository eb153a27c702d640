import pytest

from tensorglass.errors import MaterialsFileError, UnknownMaterialError
from tensorglass.materials import builtin_materials, get_material, load_materials_file


def test_builtin_table_provenance():
    ms = builtin_materials()
    assert len(ms) == 16
    assert sum(m.in_003_table for m in ms) == 13
    assert sum(m.in_001_table for m in ms) == 12
    assert sum(m.c_t is None for m in ms) == 3
    assert all(m.source.startswith("002 Table 1") for m in ms)
    assert {m.name for m in ms if m.gamma_from_K3} == {"As2S3", "LaSF-7", "PS"}


def test_lookup_is_case_insensitive():
    assert get_material("a-sio2").name == "a-SiO2"
    with pytest.raises(UnknownMaterialError) as exc:
        get_material("glass")
    assert "one of" in str(exc.value)


def test_file_round_trip(tmp_path):
    f = tmp_path / "m.csv"
    f.write_text("name,c_l,c_t\nA,5,3\nB,4,2\n")
    ms = load_materials_file(f)
    assert [m.name for m in ms] == ["A", "B"] and ms[0].alpha == pytest.approx(1 - 9 / 25)


def test_file_missing_ct(tmp_path):
    f = tmp_path / "m.csv"
    f.write_text("name,c_l,c_t\nA,5,\n")
    with pytest.raises(MaterialsFileError):
        load_materials_file(f)
