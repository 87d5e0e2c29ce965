-- Cold start for RPG sets with a text term: the unit text vector the GPU worker's assign_sids gave an
-- item beside its codes (asked with the set's text.source), so the edge adds the set's text term to
-- the item as it does to a trained one. NULL for sets without a text term and for older rows.
ALTER TABLE sid_overlay ADD COLUMN vector TEXT; -- JSON array of text.dim numbers once ready
