-- Upstream Conveyor's schema (cvmfs/conveyor config/create_schema_postgres.sql, spec 5.3):
-- an upstream server reads these rows, so names, column order and types are part of the contract.
CREATE TABLE IF NOT EXISTS SchemaVersion (
    VersionNumber int NOT NULL UNIQUE PRIMARY KEY,
    ValidFrom timestamp NOT NULL,
    ValidTo timestamp NULL
);

INSERT INTO SchemaVersion (VersionNumber, ValidFrom)
SELECT 1, NOW() WHERE NOT EXISTS (SELECT 1 FROM SchemaVersion WHERE VersionNumber = 1);

CREATE TABLE IF NOT EXISTS Jobs (
    ID char(36) NOT NULL UNIQUE PRIMARY KEY,
    JobName varchar(65535) NOT NULL,
    Repository varchar(65535) NOT NULL,
    Payload varchar(65535) NOT NULL,
    LeasePath varchar(65535) NOT NULL,
    Dependencies varchar(65535) NOT NULL,
    WorkerName varchar(65535) NOT NULL,
    StartTime timestamp NOT NULL,
    FinishTime timestamp NOT NULL,
    Successful boolean NOT NULL,
    ErrorMessage varchar(65535) NOT NULL
);
