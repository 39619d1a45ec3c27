-- Dashboards: a grid of saved artifacts a team keeps coming back to, and the images a team
-- uploads (organization logos, avatars). The analytics role is granted nothing here.

CREATE TABLE dashboards (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    created_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dashboards_org_idx ON dashboards (organization_id, updated_at DESC);
CREATE TRIGGER dashboards_set_updated_at BEFORE UPDATE ON dashboards
    FOR EACH ROW EXECUTE FUNCTION revtops_set_updated_at();

-- A tile shows one artifact; its size is in grid cells (12 columns wide) and its chart may be
-- switched from the artifact's own without asking the model again.
CREATE TABLE dashboard_tiles (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    dashboard_id uuid NOT NULL REFERENCES dashboards (id) ON DELETE CASCADE,
    artifact_id  uuid NOT NULL REFERENCES artifacts (id) ON DELETE CASCADE,
    position     integer NOT NULL CHECK (position >= 0),
    width        smallint NOT NULL DEFAULT 6 CHECK (width BETWEEN 3 AND 12),
    height       smallint NOT NULL DEFAULT 2 CHECK (height BETWEEN 1 AND 4),
    chart_spec   jsonb,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dashboard_tiles_dashboard_idx ON dashboard_tiles (dashboard_id, position);
CREATE INDEX dashboard_tiles_artifact_idx ON dashboard_tiles (artifact_id);

-- Uploaded images, served by their unguessable id (an <img> cannot send a bearer token).
CREATE TABLE uploaded_images (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid REFERENCES organizations (id) ON DELETE CASCADE,
    user_id         uuid REFERENCES users (id) ON DELETE CASCADE,
    purpose         text NOT NULL CHECK (purpose IN ('organization_logo', 'avatar')),
    content_type    text NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg', 'image/webp', 'image/gif')),
    bytes           bytea NOT NULL CHECK (length(bytes) > 0),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX uploaded_images_owner_idx ON uploaded_images (organization_id, purpose);
CREATE INDEX uploaded_images_user_idx ON uploaded_images (user_id, purpose);
