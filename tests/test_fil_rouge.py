"""The running case is labelled fictitious and its identifiers obey their key rules."""
from course.fil_rouge import acteur, fil_rouge
from test_identifiants_fictifs import luhn_ok, nir_key


def nir_key_ok(nir: str) -> bool:
    return nir[13:] == nir_key(nir[:13])


def test_case_is_labelled_fictitious():
    assert fil_rouge()["jeu"] == "FICTIF"


def test_identifiers_follow_their_rules():
    case = fil_rouge()
    for person in case["personnes"]:
        if "nir" in person:
            assert len(person["nir"]) == 15 and nir_key_ok(person["nir"]), person["cle"]
            assert person["nir"][0] == ("2" if person["sexe"] == "F" else "1"), person["cle"]
            assert person["nir"][1:5] == person["date_naissance"][2:4] + person["date_naissance"][5:7]
        if "rpps" in person:
            assert len(person["rpps"]) == 11 and person["rpps"].isdigit() and luhn_ok(person["rpps"]), person["cle"]
    for structure in case["structures"]:
        for field in ("finess_ej", "finess_et"):
            if field in structure:
                assert len(structure[field]) == 9 and structure[field].isalnum(), structure["cle"]


def test_a_wrong_key_would_be_caught():
    assert not luhn_ok("10002487617")
    assert not nir_key_ok("248034512304717")


def test_actor_lookup_names_the_known_keys():
    assert acteur("ehpad")["categorie"] == "EHPAD"
    try:
        acteur("inconnu")
    except KeyError as exc:
        assert "patiente" in str(exc)
    else:
        raise AssertionError("une clé inconnue doit lever KeyError")
