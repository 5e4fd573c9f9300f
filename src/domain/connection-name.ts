// Connection names travel in workflow inputs and search attributes: short lowercase identifiers.
export const CONNECTION_NAME = /^[a-z][a-z0-9-]{0,62}$/;
