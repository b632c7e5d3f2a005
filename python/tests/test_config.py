"""Configuration from keyword arguments, a RotationConfig, and the environment."""

from __future__ import annotations

import os

import pytest

from aa_rotation import ConfigError, RotationClient, RotationConfig, Secret


def test_from_env_reads_variables(aa_entity, monkeypatch, tmp_path):
    monkeypatch.setenv("AA_ROTATION_BASE_URL", aa_entity.base_url)
    monkeypatch.setenv("AA_ROTATION_ENTITY_ID", aa_entity.entity_id)
    monkeypatch.setenv("AA_ROTATION_USERNAME", aa_entity.username)
    monkeypatch.setenv("AA_ROTATION_PASSWORD", aa_entity.password.reveal())
    monkeypatch.setenv("AA_ROTATION_STORE", str(tmp_path / "secret.json"))
    client = RotationClient.from_env()
    assert isinstance(client, RotationClient)
    assert client.entity_id == aa_entity.entity_id
    assert client.store == f"file://{tmp_path / 'secret.json'}"
    assert client.status().fingerprint == aa_entity.current_secret().fingerprint


def test_from_env_with_file_and_python_store(aa_entity, monkeypatch, tmp_path, dict_store):
    config_file = tmp_path / "aa-rotation.toml"
    config_file.write_text(
        f'base_url = "{aa_entity.base_url}"\n'
        f'entity_id = "{aa_entity.entity_id}"\n'
        f'username = "{aa_entity.username}"\n'
        "rotate_before_days = 100\n"
    )
    password_file = tmp_path / "password"
    password_file.write_text(aa_entity.password.reveal() + "\n")
    os.chmod(password_file, 0o600)
    monkeypatch.setenv("AA_ROTATION_PASSWORD_FILE", str(password_file))
    client = RotationClient.from_env(config_file, store=dict_store)
    assert client.store == "dict-store"
    # 90 days left is inside the 100-day threshold from the file.
    assert client.status().due is True


def test_password_in_config_file_is_rejected(tmp_path):
    config_file = tmp_path / "aa-rotation.toml"
    config_file.write_text('entity_id = "AA-1"\nenvironment = "uat"\npassword = "x"\n')
    with pytest.raises(ConfigError, match="credentials do not belong"):
        RotationConfig.from_env(config_file)


def test_missing_entity_id_from_env(monkeypatch):
    for name in list(os.environ):
        if name.startswith("AA_ROTATION_"):
            monkeypatch.delenv(name)
    with pytest.raises(ConfigError, match="entity id"):
        RotationClient.from_env()


def test_config_and_keywords_together_are_rejected(aa_entity):
    config = RotationConfig(entity_id="AA-1", base_url=aa_entity.base_url, secret="s", store="memory:")
    with pytest.raises(TypeError):
        RotationClient(config, entity_id="AA-2")
    with pytest.raises(TypeError):
        RotationClient("not a config")


def test_config_properties(aa_entity, tmp_path):
    config = RotationConfig(
        entity_id="AA-1",
        environment="uat",
        username="ops@example.in",
        password=Secret("pw"),
        store=tmp_path / "s.json",
        window="Mon-Fri 10:00-16:00 Asia/Kolkata",
        jitter_minutes=30,
        secret_expiry_days=90,
    )
    assert config.entity_id == "AA-1"
    assert config.base_url == "https://api.uat.sahamati.org.in/iam"
    assert config.store == f"file://{tmp_path / 's.json'}"
    assert config.username == "ops@example.in"
    assert str(config.audit_log) == str(tmp_path / "s.json") + ".audit.jsonl"


def test_credential_type_is_checked():
    with pytest.raises(TypeError, match="password"):
        RotationConfig(entity_id="AA-1", environment="uat", username="u", password=42, store="memory:")
