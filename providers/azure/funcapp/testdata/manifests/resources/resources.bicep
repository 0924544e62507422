// The resources the functions of the polyfn app use, and the grants of the
// function app's managed identity on them. Written by polyfn; configure.sh
// deploys it with az deployment group create, in the function app's group.

@description('principal id of the function app\'s managed identity')
param principalId string
param location string = resourceGroup().location
@description('the Service Bus namespace to create for the topics and queues')
param serviceBusNamespace string
@description('the existing storage account for the containers and storage queues')
param storageAccount string
@description('the Cosmos DB for MongoDB account to create for the tables')
param cosmosAccount string
@description('the existing Key Vault that receives the MongoDB connection string')
param keyVaultName string
@description('seconds after its last change that a document of a table with a TTL field is deleted')
param documentTtlSeconds int = 2592000

var roles = {
  serviceBusSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39' // Azure Service Bus Data Sender
  blobReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1' // Storage Blob Data Reader
  blobContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe' // Storage Blob Data Contributor
  queueSender: 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a' // Storage Queue Data Message Sender
}

resource serviceBus 'Microsoft.ServiceBus/namespaces@2022-10-01-preview' = {
  name: serviceBusNamespace
  location: location
  sku: {
    name: 'Standard' // topics need Standard
    tier: 'Standard'
  }
}

resource queue_orders 'Microsoft.ServiceBus/namespaces/queues@2022-10-01-preview' = {
  parent: serviceBus
  name: 'orders'
  properties: {
    maxDeliveryCount: 10
    deadLetteringOnMessageExpiration: true
  }
}

resource queue_orders_serviceBusSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(queue_orders.id, principalId, roles.serviceBusSender)
  scope: queue_orders
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusSender)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource topic_order_placed 'Microsoft.ServiceBus/namespaces/topics@2022-10-01-preview' = {
  parent: serviceBus
  name: 'order-placed'
}

resource topic_order_placed_notify_customer 'Microsoft.ServiceBus/namespaces/topics/subscriptions@2022-10-01-preview' = {
  parent: topic_order_placed
  name: 'notify-customer'
  properties: {
    maxDeliveryCount: 10
    deadLetteringOnMessageExpiration: true
  }
}

resource topic_order_placed_update_analytics 'Microsoft.ServiceBus/namespaces/topics/subscriptions@2022-10-01-preview' = {
  parent: topic_order_placed
  name: 'update-analytics'
  properties: {
    maxDeliveryCount: 10
    deadLetteringOnMessageExpiration: true
  }
}

resource topic_order_placed_serviceBusSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(topic_order_placed.id, principalId, roles.serviceBusSender)
  scope: topic_order_placed
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusSender)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource topic_audited 'Microsoft.ServiceBus/namespaces/topics@2022-10-01-preview' = {
  parent: serviceBus
  name: 'audited'
}

resource topic_audited_serviceBusSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(topic_audited.id, principalId, roles.serviceBusSender)
  scope: topic_audited
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusSender)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccount
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' existing = {
  parent: storage
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' existing = {
  parent: storage
  name: 'default'
}

resource bucket_reports 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobs
  name: 'reports'
  properties: {
    publicAccess: 'None'
  }
}

resource bucket_reports_blobContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(bucket_reports.id, principalId, roles.blobContributor)
  scope: bucket_reports
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.blobContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource queue_audit 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queues
  name: 'audit'
}

resource queue_audit_queueSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(queue_audit.id, principalId, roles.queueSender)
  scope: queue_audit
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.queueSender)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource bucket_uploads 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobs
  name: 'uploads'
  properties: {
    publicAccess: 'None'
  }
}

resource bucket_uploads_blobReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(bucket_uploads.id, principalId, roles.blobReader)
  scope: bucket_uploads
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.blobReader)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource cosmos 'Microsoft.DocumentDB/databaseAccounts@2024-05-15' = {
  name: cosmosAccount
  location: location
  kind: 'MongoDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: [
      {
        locationName: location
        failoverPriority: 0
      }
    ]
    capabilities: [
      {
        name: 'EnableMongo'
      }
      {
        name: 'EnableServerless'
      }
    ]
    apiProperties: {
      serverVersion: '4.2'
    }
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/mongodbDatabases@2024-05-15' = {
  parent: cosmos
  name: 'polyfn'
  properties: {
    resource: {
      id: 'polyfn'
    }
  }
}

// table orders, keyed by id (the documents' _id)
resource table_orders 'Microsoft.DocumentDB/databaseAccounts/mongodbDatabases/collections@2024-05-15' = {
  parent: database
  name: 'orders'
  properties: {
    resource: {
      id: 'orders'
      indexes: [
        {
          key: {
            keys: [
              '_id'
            ]
          }
        }
      ]
    }
  }
}

// table idempotency, keyed by id (the documents' _id), expiring by TTL
resource table_idempotency 'Microsoft.DocumentDB/databaseAccounts/mongodbDatabases/collections@2024-05-15' = {
  parent: database
  name: 'idempotency'
  properties: {
    resource: {
      id: 'idempotency'
      indexes: [
        {
          key: {
            keys: [
              '_id'
            ]
          }
        }
        {
          key: {
            keys: [
              '_ts'
            ]
          }
          options: {
            expireAfterSeconds: documentTtlSeconds
          }
        }
      ]
    }
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource mongoServerURL 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'MONGO-SERVER-URL'
  properties: {
    value: cosmos.listConnectionStrings().connectionStrings[0].connectionString
  }
}
