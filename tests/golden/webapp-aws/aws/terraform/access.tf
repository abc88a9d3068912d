# Operator access without SSH bastions: no group opens 22 or 3389 to the internet.
# Session Manager: instances register through the ssm, ssmmessages and ec2messages
# endpoints; operators connect with IAM credentials, every session is logged.

data "aws_partition" "access" {
}

data "aws_caller_identity" "access" {
}

resource "aws_kms_key" "access" {
  description             = "Encrypts operator session and connection logs of prod-webapp"
  enable_key_rotation     = true
  deletion_window_in_days = 30

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "AccountAdministers"
        Effect = "Allow"
        Principal = {
          AWS = "arn:${data.aws_partition.access.partition}:iam::${data.aws_caller_identity.access.account_id}:root"
        }
        Action   = "kms:*"
        Resource = "*"
      },
      {
        Sid    = "CloudWatchLogsEncrypt"
        Effect = "Allow"
        Principal = {
          Service = "logs.${var.region}.amazonaws.com"
        }
        Action   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
        Resource = "*"
        Condition = {
          ArnLike = {
            "kms:EncryptionContext:aws:logs:arn" = ["arn:${data.aws_partition.access.partition}:logs:${var.region}:${data.aws_caller_identity.access.account_id}:log-group:/aws/ssm/sessions/*"]
          }
        }
      },
    ]
  })

  tags = merge(var.tags, {
    Name = "prod-webapp-access"
    Env  = "prod"
  })
}

resource "aws_kms_alias" "access" {
  name          = "alias/prod-webapp-access"
  target_key_id = aws_kms_key.access.key_id
}

resource "aws_iam_role" "ssm_instance" {
  name        = "prod-webapp-ssm-instance"
  description = "Instances reachable through Session Manager"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "Ec2AssumeRole"
        Effect = "Allow"
        Principal = {
          Service = "ec2.amazonaws.com"
        }
        Action = "sts:AssumeRole"
      },
    ]
  })

  tags = merge(var.tags, {
    Name = "prod-webapp-ssm-instance"
    Env  = "prod"
  })
}

resource "aws_iam_role_policy_attachment" "ssm_core" {
  role       = aws_iam_role.ssm_instance.name
  policy_arn = "arn:${data.aws_partition.access.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_iam_role_policy" "ssm_session_logging" {
  name = "session-logging"
  role = aws_iam_role.ssm_instance.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "SessionLogsToS3"
        Effect   = "Allow"
        Action   = "s3:PutObject"
        Resource = "arn:${data.aws_partition.access.partition}:s3:::${aws_s3_bucket.session_logs.id}/*"
      },
      {
        Sid      = "SessionLogBucketEncryption"
        Effect   = "Allow"
        Action   = "s3:GetEncryptionConfiguration"
        Resource = "arn:${data.aws_partition.access.partition}:s3:::${aws_s3_bucket.session_logs.id}"
      },
      {
        Sid      = "SessionLogsToCloudWatch"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
        Resource = "arn:${data.aws_partition.access.partition}:logs:${var.region}:${data.aws_caller_identity.access.account_id}:log-group:${aws_cloudwatch_log_group.ssm_sessions.name}:*"
      },
      {
        Sid      = "DescribeLogGroups"
        Effect   = "Allow"
        Action   = "logs:DescribeLogGroups"
        Resource = "*"
      },
      {
        Sid      = "SessionEncryption"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource = aws_kms_key.access.arn
      },
    ]
  })
}

resource "aws_iam_instance_profile" "ssm_instance" {
  name = "prod-webapp-ssm-instance"
  role = aws_iam_role.ssm_instance.name

  tags = merge(var.tags, {
    Name = "prod-webapp-ssm-instance"
    Env  = "prod"
  })
}

resource "aws_iam_policy" "ssm_operators" {
  name        = "prod-webapp-ssm-operators"
  description = "Session Manager sessions on instances tagged Env=prod only; own sessions only"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "StartSessionOnEnvInstances"
        Effect   = "Allow"
        Action   = "ssm:StartSession"
        Resource = "arn:${data.aws_partition.access.partition}:ec2:${var.region}:${data.aws_caller_identity.access.account_id}:instance/*"
        Condition = {
          StringEquals = {
            "ssm:resourceTag/Env" = "prod"
          }
        }
      },
      {
        Sid      = "StartSessionWithApprovedDocuments"
        Effect   = "Allow"
        Action   = "ssm:StartSession"
        Resource = ["arn:${data.aws_partition.access.partition}:ssm:${var.region}::document/AWS-StartPortForwardingSession", "arn:${data.aws_partition.access.partition}:ssm:${var.region}::document/AWS-StartPortForwardingSessionToRemoteHost", "arn:${data.aws_partition.access.partition}:ssm:${var.region}:${data.aws_caller_identity.access.account_id}:document/SSM-SessionManagerRunShell"]
        Condition = {
          BoolIfExists = {
            "ssm:SessionDocumentAccessCheck" = "true"
          }
        }
      },
      {
        Sid      = "OwnSessionsOnly"
        Effect   = "Allow"
        Action   = ["ssm:TerminateSession", "ssm:ResumeSession"]
        Resource = "arn:${data.aws_partition.access.partition}:ssm:*:${data.aws_caller_identity.access.account_id}:session/$${aws:username}-*"
      },
      {
        Sid      = "SessionEncryption"
        Effect   = "Allow"
        Action   = "kms:GenerateDataKey"
        Resource = aws_kms_key.access.arn
      },
      {
        Sid      = "ConnectionStatusOfInstances"
        Effect   = "Allow"
        Action   = "ssm:GetConnectionStatus"
        Resource = ["arn:${data.aws_partition.access.partition}:ec2:${var.region}:${data.aws_caller_identity.access.account_id}:instance/*", "arn:${data.aws_partition.access.partition}:ssm:${var.region}:${data.aws_caller_identity.access.account_id}:managed-instance/*"]
      },
      {
        Sid      = "DescribeTargets"
        Effect   = "Allow"
        Action   = ["ssm:DescribeSessions", "ssm:DescribeInstanceInformation", "ssm:DescribeInstanceProperties", "ec2:DescribeInstances"]
        Resource = "*"
      },
    ]
  })

  tags = merge(var.tags, {
    Name = "prod-webapp-ssm-operators"
    Env  = "prod"
  })
}

resource "aws_s3_bucket" "session_logs" {
  bucket        = "prod-webapp-session-logs-${data.aws_caller_identity.access.account_id}"
  force_destroy = false

  tags = merge(var.tags, {
    Name = "prod-webapp-session-logs"
    Env  = "prod"
  })
}

resource "aws_s3_bucket_versioning" "session_logs" {
  bucket = aws_s3_bucket.session_logs.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "session_logs" {
  bucket = aws_s3_bucket.session_logs.id

  rule {
    bucket_key_enabled = true

    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.access.arn
    }
  }
}

resource "aws_s3_bucket_public_access_block" "session_logs" {
  bucket                  = aws_s3_bucket.session_logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_lifecycle_configuration" "session_logs" {
  bucket = aws_s3_bucket.session_logs.id

  rule {
    id     = "expire-session-logs"
    status = "Enabled"

    filter {
    }

    expiration {
      days = 365
    }

    noncurrent_version_expiration {
      noncurrent_days = 30
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

resource "aws_s3_bucket_policy" "session_logs" {
  bucket = aws_s3_bucket.session_logs.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = ["arn:${data.aws_partition.access.partition}:s3:::${aws_s3_bucket.session_logs.id}", "arn:${data.aws_partition.access.partition}:s3:::${aws_s3_bucket.session_logs.id}/*"]
        Condition = {
          Bool = {
            "aws:SecureTransport" = "false"
          }
        }
      },
    ]
  })
}

resource "aws_cloudwatch_log_group" "ssm_sessions" {
  name              = "/aws/ssm/sessions/prod-webapp"
  retention_in_days = 365
  kms_key_id        = aws_kms_key.access.arn

  tags = merge(var.tags, {
    Name = "/aws/ssm/sessions/prod-webapp"
    Env  = "prod"
  })
}

resource "aws_ssm_document" "session_preferences" {
  name            = "SSM-SessionManagerRunShell"
  document_type   = "Session"
  document_format = "JSON"
  content = jsonencode({
    schemaVersion = "1.0"
    description   = "Session Manager preferences: encrypted, logged sessions with an idle timeout"
    sessionType   = "Standard_Stream"
    inputs = {
      s3BucketName                = aws_s3_bucket.session_logs.id
      s3KeyPrefix                 = "sessions/"
      s3EncryptionEnabled         = true
      cloudWatchLogGroupName      = aws_cloudwatch_log_group.ssm_sessions.name
      cloudWatchEncryptionEnabled = true
      cloudWatchStreamingEnabled  = true
      kmsKeyId                    = aws_kms_key.access.arn
      idleSessionTimeout          = "20"
      runAsEnabled                = false
      runAsDefaultUser            = ""
      shellProfile = {
        linux   = ""
        windows = ""
      }
    }
  })

  tags = merge(var.tags, {
    Name = "SSM-SessionManagerRunShell"
    Env  = "prod"
  })
}
