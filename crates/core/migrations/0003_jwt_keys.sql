-- Schema 3: the keys a run verified captured JWTs with (JSON list of key sources: kids, problems, rotation).
ALTER TABLE runs ADD COLUMN jwt_keys TEXT;
