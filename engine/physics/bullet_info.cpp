#include "engine/physics/bullet_info.h"

#include <btBulletDynamicsCommon.h>

#include <memory>

namespace plantwin {

std::string bullet_version() {
  int v = btGetVersion();  // e.g. 324
  return std::to_string(v / 100) + "." + std::to_string(v % 100);
}

double bullet_free_fall_m(double seconds) {
  btDefaultCollisionConfiguration config;
  btCollisionDispatcher dispatcher(&config);
  btDbvtBroadphase broadphase;
  btSequentialImpulseConstraintSolver solver;
  btDiscreteDynamicsWorld world(&dispatcher, &broadphase, &solver, &config);
  world.setGravity(btVector3(0, 0, btScalar(-9.81)));
  btSphereShape shape(btScalar(0.1));
  btVector3 inertia(0, 0, 0);
  shape.calculateLocalInertia(1, inertia);
  btDefaultMotionState motion(btTransform(btQuaternion::getIdentity(), btVector3(0, 0, 100)));
  btRigidBody body(btRigidBody::btRigidBodyConstructionInfo(1, &motion, &shape, inertia));
  body.setActivationState(DISABLE_DEACTIVATION);
  world.addRigidBody(&body);
  const btScalar dt = btScalar(1.0 / 240.0);
  const int steps = static_cast<int>(seconds * 240.0 + 0.5);
  for (int i = 0; i < steps; ++i) world.stepSimulation(dt, 0);
  double fell = 100.0 - body.getCenterOfMassPosition().z();
  world.removeRigidBody(&body);
  return fell;
}

}  // namespace plantwin
